// The PodSecurity plugin against a fake namespace/pod source: enforce refuses with upstream's 403
// text, warn adds upstream's warning, workloads are warned and never refused, insignificant pod
// updates and ignored subresources pass, namespace labels are validated (422) and a stricter
// enforce level warns about existing pods; exemptions and the cluster default.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../../api/gen/types.js';
import type { KindDef } from '../../../api/kind.js';
import { deploymentKind } from '../../../api/kinds/apps/deployment.js';
import { jobKind } from '../../../api/kinds/batch/job.js';
import { configMapKind } from '../../../api/kinds/core/configmap.js';
import { namespaceKind } from '../../../api/kinds/core/namespace.js';
import { podKind } from '../../../api/kinds/core/pod/pod.js';
import type { AnyObject } from '../../../api/object.js';
import { StatusError } from '../../../base/errors.js';
import type { AdmissionOperation } from '../plugin.js';
import { parseDefaultPolicy } from './config.js';
import { createPodSecurityPlugin, type PodSecurityOptions } from './plugin.js';
import type { PodSecuritySource } from './source.js';

const L = (m: string) => `pod-security.kubernetes.io/${m}`;

function fakeSource(namespaces: Record<string, Record<string, string>>, pods: Pod[] = []): PodSecuritySource {
  return {
    namespaceLabels: async (name) => namespaces[name],
    listPods: async (ns) => pods.filter((p) => p.metadata.namespace === ns),
  };
}

const pod = (name: string, spec: Partial<Pod['spec']> = {}, ns = 'app'): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});

const restrictedOk = (name: string): Pod =>
  pod(name, {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'c', image: 'busybox', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
  });

interface Call {
  kind?: KindDef;
  operation?: AdmissionOperation;
  object: AnyObject;
  oldObject?: AnyObject;
  subresource?: string;
  user?: string;
  namespace?: string;
}

function harness(namespaces: Record<string, Record<string, string>>, extra: Partial<PodSecurityOptions> = {}, pods: Pod[] = []) {
  const plugin = createPodSecurityPlugin({ source: fakeSource(namespaces, pods), ...extra });
  return async (c: Call): Promise<{ warnings: string[]; error?: StatusError }> => {
    const warnings: string[] = [];
    try {
      await plugin.validate?.({
        operation: c.operation ?? 'CREATE',
        kind: c.kind ?? podKind,
        subresource: c.subresource,
        namespace: c.namespace ?? c.object.metadata.namespace,
        name: c.object.metadata.name ?? '',
        object: c.object,
        oldObject: c.oldObject,
        user: { name: c.user ?? 'alice', groups: ['system:authenticated'] },
        dryRun: false,
        warn: (w) => warnings.push(w),
      });
      return { warnings };
    } catch (e) {
      assert.ok(e instanceof StatusError, String(e));
      return { warnings, error: e };
    }
  };
}

const asObj = (x: unknown) => x as AnyObject;

const PLAIN_RESTRICTED =
  'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
  'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ' +
  'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
  'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

test('enforce=restricted refuses a plain pod with 403 and upstream message; a compliant pod passes', async () => {
  const admit = harness({ app: { [L('enforce')]: 'restricted' } });
  const r = await admit({ object: asObj(pod('web')) });
  assert.equal(r.error?.code, 403);
  assert.equal(r.error?.reason, 'Forbidden');
  assert.equal(r.error?.message, `pods "web" is forbidden: violates PodSecurity "restricted:latest": ${PLAIN_RESTRICTED}`);
  // warn follows the stricter enforce level, but a refused request gets no warning
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(await admit({ object: asObj(restrictedOk('ok')) }), { warnings: [] });
});

test('warn=restricted adds the warning kubectl prints, and admits', async () => {
  const admit = harness({ app: { [L('warn')]: 'restricted', [L('warn-version')]: 'v1.32' } });
  const r = await admit({ object: asObj(pod('web')) });
  assert.equal(r.error, undefined);
  assert.deepEqual(r.warnings, [`would violate PodSecurity "restricted:v1.32": ${PLAIN_RESTRICTED}`]);
});

test('enforce=baseline with warn=restricted: a hostPath pod is refused, a plain one warned', async () => {
  const admit = harness({ app: { [L('enforce')]: 'baseline', [L('warn')]: 'restricted' } });
  const root = pod('root', { volumes: [{ name: 'host', hostPath: { path: '/' } }] });
  const r = await admit({ object: asObj(root) });
  assert.equal(r.error?.message, 'pods "root" is forbidden: violates PodSecurity "baseline:latest": hostPath volumes (volume "host")');
  const plain = await admit({ object: asObj(pod('plain')) });
  assert.equal(plain.error, undefined);
  assert.equal(plain.warnings.length, 1);
});

test('unlabelled namespaces follow the cluster default (privileged unless configured)', async () => {
  assert.deepEqual(await harness({ app: {} })({ object: asObj(pod('p', { hostNetwork: true })) }), { warnings: [] });
  const admit = harness({ app: {} }, { defaults: parseDefaultPolicy('enforce=baseline,warn=restricted') });
  const r = await admit({ object: asObj(pod('p', { hostNetwork: true })) });
  assert.equal(r.error?.message, 'pods "p" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)');
  // a label overrides the default
  const relaxed = harness(
    { app: { [L('enforce')]: 'privileged', [L('warn')]: 'privileged' } },
    { defaults: parseDefaultPolicy('enforce=restricted') },
  );
  assert.deepEqual(await relaxed({ object: asObj(pod('p', { hostNetwork: true })) }), { warnings: [] });
});

test('a missing namespace is left to the namespace lifecycle check', async () => {
  const admit = harness({}, { defaults: parseDefaultPolicy('enforce=restricted') });
  assert.deepEqual(await admit({ object: asObj(pod('p', {}, 'nowhere')) }), { warnings: [] });
});

test('pod updates: only image or ephemeral container changes are evaluated; status and exec are not', async () => {
  const admit = harness({ app: { [L('enforce')]: 'restricted' } });
  const old = pod('web');
  const relabelled = pod('web');
  relabelled.metadata.labels = { a: 'b' };
  assert.deepEqual(await admit({ operation: 'UPDATE', object: asObj(relabelled), oldObject: asObj(old) }), { warnings: [] });
  const newImage = pod('web', { containers: [{ name: 'c', image: 'busybox:2' }] });
  assert.equal((await admit({ operation: 'UPDATE', object: asObj(newImage), oldObject: asObj(old) })).error?.code, 403);
  const debug = pod('web', { ephemeralContainers: [{ name: 'debug', image: 'busybox' }] });
  assert.equal((await admit({ operation: 'UPDATE', object: asObj(debug), oldObject: asObj(old) })).error?.code, 403);
  assert.deepEqual(await admit({ operation: 'UPDATE', subresource: 'status', object: asObj(newImage), oldObject: asObj(old) }), {
    warnings: [],
  });
  assert.deepEqual(await admit({ operation: 'DELETE', object: asObj(old) }), { warnings: [] });
});

test('workloads: warned on their pod template, never refused, even under enforce', async () => {
  const admit = harness({ app: { [L('enforce')]: 'restricted' } });
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'app' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: pod('x').spec } },
  };
  const r = await admit({ kind: deploymentKind, object: asObj(deployment) });
  assert.equal(r.error, undefined);
  assert.deepEqual(r.warnings, [`would violate PodSecurity "restricted:latest": ${PLAIN_RESTRICTED}`]);
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'app' },
    spec: { template: { spec: restrictedOk('x').spec } },
  };
  assert.deepEqual(await admit({ kind: jobKind, object: asObj(job) }), { warnings: [] });
  // the scale subresource and kinds without pod templates are not looked at
  assert.deepEqual(await admit({ kind: deploymentKind, subresource: 'scale', object: asObj(deployment) }), { warnings: [] });
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'app' } };
  assert.deepEqual(await admit({ kind: configMapKind, object: asObj(cm) }), { warnings: [] });
  // enforce alone (warn explicitly privileged): nothing to say about workloads
  const quiet = harness({ app: { [L('enforce')]: 'restricted', [L('warn')]: 'privileged' } });
  assert.deepEqual(await quiet({ kind: deploymentKind, object: asObj(deployment) }), { warnings: [] });
});

test('exemptions: namespaces, users and runtime classes', async () => {
  const admit = harness(
    { app: { [L('enforce')]: 'restricted' }, ci: { [L('enforce')]: 'restricted' } },
    {
      exemptions: { namespaces: ['ci'], usernames: ['system:serviceaccount:kube-system:replicaset-controller'], runtimeClasses: ['kata'] },
    },
  );
  assert.equal((await admit({ object: asObj(pod('p', {}, 'ci')) })).error, undefined);
  assert.equal(
    (await admit({ object: asObj(pod('p')), user: 'system:serviceaccount:kube-system:replicaset-controller' })).error,
    undefined,
  );
  assert.equal((await admit({ object: asObj(pod('p', { runtimeClassName: 'kata' })) })).error, undefined);
  assert.equal((await admit({ object: asObj(pod('p', { runtimeClassName: 'runc' })) })).error?.code, 403);
  assert.equal((await admit({ object: asObj(pod('p')), user: 'bob' })).error?.code, 403);
});

const ns = (name: string, labels: Record<string, string> = {}) =>
  asObj({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

test('namespace labels with bad values are refused with 422 naming the label', async () => {
  const admit = harness({});
  const r = await admit({ kind: namespaceKind, object: ns('team', { [L('enforce')]: 'strict' }) });
  assert.equal(r.error?.code, 422);
  assert.equal(
    r.error?.message,
    'Namespace "team" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
  );
  assert.equal(r.error?.details?.causes?.[0]?.field, 'metadata.labels[pod-security.kubernetes.io/enforce]');
  const up = await admit({
    kind: namespaceKind,
    operation: 'UPDATE',
    object: ns('team', { [L('warn-version')]: '1.30' }),
    oldObject: ns('team'),
  });
  assert.equal(up.error?.code, 422);
  assert.match(
    up.error?.message ?? '',
    /metadata.labels\[pod-security.kubernetes.io\/warn-version\]: Invalid value: "1.30": must be "latest" or "v1.x"/,
  );
  // an update that keeps the same bad labels is let through (other fields may change)
  const bad = ns('team', { [L('audit')]: 'x' });
  assert.equal((await admit({ kind: namespaceKind, operation: 'UPDATE', object: bad, oldObject: bad })).error, undefined);
  assert.deepEqual(
    await admit({ kind: namespaceKind, object: ns('ok', { [L('enforce')]: 'baseline', [L('enforce-version')]: 'v1.29' }) }),
    {
      warnings: [],
    },
  );
});

test('a stricter enforce level warns about existing pods, grouped by reason', async () => {
  const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true };
  const pods = [
    pod('b-host', { hostNetwork: true }),
    pod('a-host', { hostNetwork: true }),
    pod('c-host', { hostNetwork: true }),
    pod('root', { volumes: [{ name: 'h', hostPath: { path: '/' } }] }),
    pod('fine'),
    {
      ...pod('rs-1', { containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] }),
      metadata: { name: 'rs-1', namespace: 'app', ownerReferences: [owner] },
    },
    pod('other-ns', { hostNetwork: true }, 'elsewhere'),
  ];
  const admit = harness({}, {}, pods);
  const r = await admit({
    kind: namespaceKind,
    operation: 'UPDATE',
    object: ns('app', { [L('enforce')]: 'baseline' }),
    oldObject: ns('app'),
  });
  assert.equal(r.error, undefined);
  assert.deepEqual(r.warnings, [
    'existing pods in namespace "app" violate the new PodSecurity enforce level "baseline:latest"',
    'a-host (and 2 other pods): host namespaces',
    'root: hostPath volumes',
    'rs-1: privileged',
  ]);
  // relaxing, or an unchanged level, checks nothing
  const relax = await admit({
    kind: namespaceKind,
    operation: 'UPDATE',
    object: ns('app', { [L('enforce')]: 'baseline' }),
    oldObject: ns('app', { [L('enforce')]: 'restricted' }),
  });
  assert.deepEqual(relax.warnings, []);
});

test('the check of existing pods stops at its cap and says so', async () => {
  const pods = Array.from({ length: 5 }, (_, i) => pod(`p${i}`, { hostIPC: true }));
  let t = 0;
  const admit = harness({}, { now: () => (t += 600) }, pods);
  const r = await admit({
    kind: namespaceKind,
    operation: 'UPDATE',
    object: ns('app', { [L('enforce')]: 'baseline' }),
    oldObject: ns('app'),
  });
  assert.deepEqual(r.warnings, [
    'new PodSecurity enforce level only checked against the first 2 of 5 existing pods',
    'existing pods in namespace "app" violate the new PodSecurity enforce level "baseline:latest"',
    'p0 (and 1 other pod): host namespaces',
  ]);
});

test('an exempt namespace that asks for a policy is told it will be ignored', async () => {
  const admit = harness({}, { exemptions: { namespaces: ['kube-system'] } });
  const r = await admit({ kind: namespaceKind, object: ns('kube-system', { [L('enforce')]: 'restricted', [L('audit')]: 'baseline' }) });
  assert.deepEqual(r.warnings, [
    'namespace "kube-system" is exempt from Pod Security, and the policy (enforce=restricted:latest, audit=baseline:latest) will be ignored',
  ]);
});
