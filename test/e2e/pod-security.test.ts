// Pod Security admission end to end: `tandem server` and the real kubectl. A namespace labelled to
// enforce restricted refuses `kubectl run` with upstream's message; warn makes kubectl print
// "Warning: would violate PodSecurity …"; a compliant pod is admitted; baseline refuses a hostPath
// `/` pod; workloads are warned, not refused; bad labels are refused; the cluster-wide default
// (`--pod-security-default`) applies to unlabelled namespaces, and a bad default stops the start.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectlAvailable, startTandem, TANDEM, type TandemProcess } from './harness.js';
import { createKubectlSession } from './kubectl-support.js';

const k = createKubectlSession();
before(() => k.start());
after(() => k.stop());

const RESTRICTED_PLAIN = (c: string) =>
  `allowPrivilegeEscalation != false (container "${c}" must set securityContext.allowPrivilegeEscalation=false), ` +
  `unrestricted capabilities (container "${c}" must set securityContext.capabilities.drop=["ALL"]), ` +
  `runAsNonRoot != true (pod or container "${c}" must set securityContext.runAsNonRoot=true), ` +
  `seccompProfile (pod or container "${c}" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`;

const compliantPod = (ns: string) => `
apiVersion: v1
kind: Pod
metadata: { name: good, namespace: ${ns} }
spec:
  securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: RuntimeDefault } }
  containers:
  - name: app
    image: busybox
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
`;

const hostRootPod = (ns: string) => `
apiVersion: v1
kind: Pod
metadata: { name: hostroot, namespace: ${ns} }
spec:
  containers: [{ name: sh, image: busybox, volumeMounts: [{ name: host, mountPath: /host }] }]
  volumes: [{ name: host, hostPath: { path: / } }]
`;

test(
  'enforce=restricted: kubectl run is refused with upstream message; a compliant pod is admitted',
  { timeout: 60_000 },
  k.run(() => {
    k.ok(['create', 'namespace', 'strict']);
    k.ok(['label', 'namespace', 'strict', 'pod-security.kubernetes.io/enforce=restricted']);
    const r = k.fails(['run', 'web', '--image=busybox', '-n', 'strict']);
    assert.equal(
      r.stderr.trim(),
      `Error from server (Forbidden): pods "web" is forbidden: violates PodSecurity "restricted:latest": ${RESTRICTED_PLAIN('web')}`,
    );
    const ok = k.ok(['apply', '-f', '-'], { input: compliantPod('strict') });
    assert.match(ok.stdout, /pod\/good created/);
    assert.doesNotMatch(ok.stderr, /Warning/);
    // workloads are warned about, never refused: their pods are checked when created
    const d = k.ok(['create', 'deployment', 'web', '--image=busybox', '-n', 'strict']);
    assert.match(d.stderr, new RegExp(`^Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false`, 'm'));
    assert.match(d.stdout, /deployment.apps\/web created/);
  }),
);

test(
  'warn=restricted: kubectl prints the warning and the pod is created; enforcing later warns about it',
  { timeout: 60_000 },
  k.run(() => {
    k.ok(['create', 'namespace', 'loose']);
    k.ok(['label', 'namespace', 'loose', 'pod-security.kubernetes.io/warn=restricted']);
    const r = k.ok(['run', 'web', '--image=busybox', '-n', 'loose']);
    assert.equal(r.stderr.trim(), `Warning: would violate PodSecurity "restricted:latest": ${RESTRICTED_PLAIN('web')}`);
    assert.match(r.stdout, /pod\/web created/);
    assert.equal(k.ok(['get', 'pod', 'web', '-n', 'loose', '-o', 'name']).stdout.trim(), 'pod/web');
    const label = k.ok(['label', 'namespace', 'loose', 'pod-security.kubernetes.io/enforce=restricted']);
    assert.match(label.stderr, /Warning: existing pods in namespace "loose" violate the new PodSecurity enforce level "restricted:latest"/);
    assert.match(
      label.stderr,
      /Warning: web: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile/,
    );
  }),
);

test(
  'enforce=baseline: a pod mounting the host root is refused',
  { timeout: 60_000 },
  k.run(() => {
    k.ok(['create', 'namespace', 'base']);
    k.ok(['label', 'namespace', 'base', 'pod-security.kubernetes.io/enforce=baseline', 'pod-security.kubernetes.io/enforce-version=v1.32']);
    const r = k.fails(['apply', '-f', '-'], { input: hostRootPod('base') });
    assert.match(r.stderr, /pods "hostroot" is forbidden: violates PodSecurity "baseline:v1.32": hostPath volumes \(volume "host"\)/);
    // without the label the same pod is admitted (the cluster default is privileged)
    k.ok(['create', 'namespace', 'open']);
    k.ok(['apply', '-f', '-'], { input: hostRootPod('open') });
  }),
);

test(
  'bad label values are refused with 422 naming the label',
  { timeout: 60_000 },
  k.run(() => {
    k.ok(['create', 'namespace', 'typo']);
    const r = k.fails(['label', 'namespace', 'typo', 'pod-security.kubernetes.io/enforce=strict']);
    assert.match(
      r.stderr,
      /The Namespace "typo" is invalid: metadata.labels\[pod-security.kubernetes.io\/enforce\]: Invalid value: "strict": must be one of privileged, baseline, restricted/,
    );
    const v = k.fails(['label', 'namespace', 'typo', 'pod-security.kubernetes.io/warn-version=1.30']);
    assert.match(
      v.stderr,
      /metadata.labels\[pod-security.kubernetes.io\/warn-version\]: Invalid value: "1.30": must be "latest" or "v1.x"/,
    );
  }),
);

test('--pod-security-default applies to unlabelled namespaces; a bad value stops the start', { timeout: 60_000 }, async (t) => {
  if (!kubectlAvailable()) return t.skip('kubectl not found');
  let srv: TandemProcess | undefined;
  try {
    srv = await startTandem({ args: ['--controllers', 'none', '--pod-security-default', 'enforce=baseline,warn=restricted'] });
    const r = srv.kubectl(['apply', '-f', '-'], { input: hostRootPod('default') });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /violates PodSecurity "baseline:latest": hostPath volumes \(volume "host"\)/);
    const w = srv.kubectl(['run', 'web', '--image=busybox']);
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stderr, /Warning: would violate PodSecurity "restricted:latest"/);
  } finally {
    await srv?.stop();
  }
  const dir = mkdtempSync(join(tmpdir(), 'tandem-psa-'));
  try {
    const bad = spawnSync(
      process.execPath,
      [TANDEM, 'server', '--data-dir', join(dir, 'd'), '--listen', '127.0.0.1:0', '--pod-security-default', 'enforce=strict'],
      {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, HOME: dir },
      },
    );
    assert.equal(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /--pod-security-default: enforce level "strict": must be one of privileged, baseline, restricted/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
