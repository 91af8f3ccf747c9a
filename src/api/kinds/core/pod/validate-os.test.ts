import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invalid } from '../../../../base/errors.js';
import { deploymentKind } from '../../apps/deployment.js';
import { podKind } from './pod.js';
import { isHostProcessPod } from './validate-os.js';
import type { Pod as PodT } from '../../../gen/types.js';
import type { UnvalidatedObject } from '../../../unvalidated.js';

type Pod = UnvalidatedObject<PodT>;
type Spec = NonNullable<Pod['spec']>;

/** The 422 Status the API server would answer for this pod spec: its causes as `field: message`. */
function causes(spec: Spec): string[] {
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec };
  podKind.defaults?.(pod);
  const errs = podKind.validate?.(pod, undefined) ?? [];
  if (errs.length === 0) return [];
  const st = invalid('Pod', '', 'p', errs).toStatus();
  assert.equal(st.code, 422);
  assert.equal(st.reason, 'Invalid');
  return (st.details?.causes ?? []).map((c) => `${c.field ?? ''}: ${c.message ?? ''}`);
}

const c = (sc?: Record<string, unknown>) => ({ name: 'c', image: 'x', ...(sc ? { securityContext: sc } : {}) });
const WIN = 'cannot be set for a windows pod';

test('a windows pod may not set Linux-only pod fields', () => {
  const got = causes({
    os: { name: 'windows' },
    hostPID: true,
    hostIPC: true,
    hostUsers: false,
    shareProcessNamespace: false,
    securityContext: {
      appArmorProfile: { type: 'RuntimeDefault' },
      seLinuxOptions: { level: 's0' },
      seccompProfile: { type: 'RuntimeDefault' },
      fsGroup: 1,
      fsGroupChangePolicy: 'Always',
      sysctls: [{ name: 'net.ipv4.ip_forward', value: '1' }],
      runAsUser: 1000,
      runAsGroup: 1000,
      supplementalGroups: [5],
      supplementalGroupsPolicy: 'Merge',
      seLinuxChangePolicy: 'Recursive',
    },
    containers: [c()],
  });
  assert.deepEqual(got, [
    `spec.securityContext.appArmorProfile: Forbidden: ${WIN}`,
    `spec.securityContext.seLinuxOptions: Forbidden: ${WIN}`,
    `spec.hostUsers: Forbidden: ${WIN}`,
    `spec.hostPID: Forbidden: ${WIN}`,
    `spec.hostIPC: Forbidden: ${WIN}`,
    `spec.securityContext.seccompProfile: Forbidden: ${WIN}`,
    `spec.securityContext.fsGroup: Forbidden: ${WIN}`,
    `spec.securityContext.fsGroupChangePolicy: Forbidden: ${WIN}`,
    `spec.securityContext.sysctls: Forbidden: ${WIN}`,
    `spec.shareProcessNamespace: Forbidden: ${WIN}`,
    `spec.securityContext.runAsUser: Forbidden: ${WIN}`,
    `spec.securityContext.runAsGroup: Forbidden: ${WIN}`,
    `spec.securityContext.supplementalGroups: Forbidden: ${WIN}`,
    `spec.securityContext.supplementalGroupsPolicy: Forbidden: ${WIN}`,
    `spec.securityContext.seLinuxChangePolicy: Forbidden: ${WIN}`,
  ]);
});

test('a windows pod may not set Linux-only container fields, in init containers too', () => {
  const linuxOnly = {
    appArmorProfile: { type: 'RuntimeDefault' },
    seLinuxOptions: { user: 'u' },
    seccompProfile: { type: 'RuntimeDefault' },
    capabilities: { add: ['NET_ADMIN'] },
    readOnlyRootFilesystem: false,
    privileged: false,
    allowPrivilegeEscalation: false,
    procMount: 'Default',
    runAsUser: 0,
    runAsGroup: 0,
  };
  const got = causes({
    os: { name: 'windows' },
    initContainers: [{ ...c({ privileged: true }), name: 'init' }],
    containers: [c(linuxOnly)],
  });
  assert.deepEqual(got, [
    `spec.initContainers[0].securityContext.privileged: Forbidden: ${WIN}`,
    ...Object.keys(linuxOnly).map((k) => `spec.containers[0].securityContext.${k}: Forbidden: ${WIN}`),
  ]);
  // the Windows options and runAsNonRoot are fine
  assert.deepEqual(
    causes({ os: { name: 'windows' }, containers: [c({ runAsNonRoot: true, windowsOptions: { runAsUserName: 'ContainerUser' } })] }),
    [],
  );
  // hostPID: false is no request for the host's PID namespace
  assert.deepEqual(causes({ os: { name: 'windows' }, hostPID: false, containers: [c()] }), []);
});

test('a linux pod may not set Windows options', () => {
  const got = causes({
    os: { name: 'linux' },
    securityContext: { windowsOptions: { runAsUserName: 'u' } },
    containers: [c({ windowsOptions: { hostProcess: false } })],
  });
  assert.deepEqual(got, [
    'spec.securityContext.windowsOptions: Forbidden: windows options cannot be set for a linux pod',
    'spec.containers[0].securityContext.windowsOptions: Forbidden: windows options cannot be set for a linux pod',
  ]);
  // without spec.os nothing is checked against an OS, as upstream
  assert.deepEqual(causes({ securityContext: { runAsUser: 1, windowsOptions: { runAsUserName: 'u' } }, containers: [c()] }), []);
});

test('spec.os names a known OS', () => {
  assert.deepEqual(causes({ os: { name: 'plan9' }, containers: [c()] }), [
    'spec.os: Unsupported value: "plan9": supported values: "linux", "windows"',
  ]);
  assert.deepEqual(causes({ os: { name: '' }, containers: [c()] }), ['spec.os.name: Required value: cannot be empty']);
});

test('HostProcess pods use the host network and are HostProcess throughout', () => {
  const hp = { windowsOptions: { hostProcess: true } };
  assert.deepEqual(
    causes({ os: { name: 'windows' }, hostNetwork: true, securityContext: hp, containers: [c(), { ...c(), name: 'd' }] }),
    [],
  );
  assert.deepEqual(causes({ os: { name: 'windows' }, hostNetwork: true, securityContext: hp, containers: [c()] }), []);

  assert.deepEqual(causes({ os: { name: 'windows' }, securityContext: hp, containers: [c()] }), [
    'spec.hostNetwork: Invalid value: false: hostNetwork must be true if pod contains any hostProcess containers',
  ]);
  assert.deepEqual(causes({ os: { name: 'windows' }, hostNetwork: true, containers: [c(hp), { ...c(), name: 'plain' }] }), [
    'spec: Invalid value: "": If pod contains any hostProcess containers then all containers must be HostProcess containers',
  ]);
  assert.deepEqual(
    causes({
      os: { name: 'windows' },
      hostNetwork: true,
      securityContext: hp,
      containers: [c(), { ...c({ windowsOptions: { hostProcess: false } }), name: 'no' }],
    }),
    [
      'spec.containers[1].securityContext.windowsOptions.hostProcess: Invalid value: false: pod hostProcess value must be identical if both are specified, was true',
      'spec: Invalid value: "": If pod contains any hostProcess containers then all containers must be HostProcess containers',
    ],
  );
});

test('pod templates get the same rules at their own path', () => {
  const d: Parameters<NonNullable<typeof deploymentKind.validate>>[0] = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'default' },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      template: {
        metadata: { labels: { a: 'b' } },
        spec: {
          os: { name: 'windows' },
          restartPolicy: 'Always',
          dnsPolicy: 'ClusterFirst',
          containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }],
        },
      },
    },
  };
  deploymentKind.defaults?.(d);
  const errs = deploymentKind.validate?.(d, undefined) ?? [];
  assert.deepEqual(
    errs.map((e) => `${e.field}: ${e.detail}`),
    [`spec.template.spec.containers[0].securityContext.privileged: ${WIN}`],
  );
});

test('isHostProcessPod: the pod value or every container', () => {
  assert.equal(isHostProcessPod({ securityContext: { windowsOptions: { hostProcess: true } }, containers: [c()] }), true);
  assert.equal(isHostProcessPod({ containers: [c({ windowsOptions: { hostProcess: true } })] }), true);
  assert.equal(isHostProcessPod({ containers: [c({ windowsOptions: { hostProcess: true } }), c()] }), false);
  assert.equal(isHostProcessPod({ containers: [c()] }), false);
});
