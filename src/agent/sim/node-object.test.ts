import { test } from 'node:test';
import assert from 'node:assert/strict';
import { majorMinorBuild } from '../node/node-object.js';
import { buildNode, osImage, runtimeHandlers, simNodeLabels } from './node-object.js';
import { resolveSimOptions } from './options.js';
import type { RestClient } from '../../client/rest-client.js';
import { simNodeDescription } from './testing/sim-node-description.js';

const d = simNodeDescription;

test('linux node: labels, spec, status, nodeInfo', () => {
  const n = buildNode(
    d({ zone: 'zone-1', labels: { extra: 'x' }, taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }),
    Date.UTC(2024, 0, 1),
    Date.UTC(2023, 11, 31),
  );
  assert.deepEqual(n.metadata.labels, {
    extra: 'x',
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': 'n0',
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': 'tandem-sim',
    'tandem.io/simulated': 'true',
    'topology.kubernetes.io/zone': 'zone-1',
  });
  assert.deepEqual(n.spec?.podCIDRs, ['10.128.5.0/24']);
  assert.deepEqual(n.spec?.taints, [{ key: 'k', value: 'v', effect: 'NoSchedule' }]);
  const st = n.status!;
  assert.deepEqual(st.capacity, { cpu: '8', 'ephemeral-storage': '100Gi', memory: '32Gi', pods: '110' });
  assert.deepEqual(st.allocatable, st.capacity);
  assert.deepEqual(
    st.conditions?.map((c) => [c.type, c.status]),
    [
      ['MemoryPressure', 'False'],
      ['DiskPressure', 'False'],
      ['PIDPressure', 'False'],
      ['Ready', 'True'],
    ],
  );
  const ready = st.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.['lastHeartbeatTime'], '2024-01-01T00:00:00Z');
  assert.equal(ready?.['lastTransitionTime'], '2023-12-31T00:00:00Z');
  assert.deepEqual(st.addresses, [
    { type: 'InternalIP', address: '10.200.0.7' },
    { type: 'Hostname', address: 'n0' },
  ]);
  assert.deepEqual(st['daemonEndpoints'], { kubeletEndpoint: { Port: 10250 } });
  const info = st.nodeInfo!;
  assert.equal(info.kernelVersion, '6.1.0-sim');
  assert.equal(info.containerRuntimeVersion, 'sim://1.0.0');
  assert.equal(info.kubeletVersion, 'v1.32.0-tandem');
  assert.equal(info['machineID'], buildNode(d(), 0, 0).status?.nodeInfo?.['machineID'], 'machine id is stable per name');
  assert.notEqual(info['bootID'], buildNode(d({ bootSeed: 'other' }), 0, 0).status?.nodeInfo?.['bootID'], 'boot id changes per start');
  assert.match(String(info['systemUUID']), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(st['runtimeHandlers'], [
    { name: 'runc', features: { recursiveReadOnlyMounts: true, userNamespaces: true } },
    { name: '', features: { recursiveReadOnlyMounts: true, userNamespaces: true } },
  ]);
  const labels: Record<string, string> = n.metadata.labels ?? {};
  assert.equal(labels['node.kubernetes.io/windows-build'], undefined);
});

test('windows node: build label, OS image, handlers with and without Hyper-V', () => {
  const n = buildNode(d({ os: 'windows', windowsBuild: '10.0.17763' }), 0, 0);
  assert.equal(n.metadata.labels?.['node.kubernetes.io/windows-build'], '10.0.17763');
  assert.equal(n.metadata.labels?.['kubernetes.io/os'], 'windows');
  assert.equal(n.status?.nodeInfo?.osImage, 'Windows Server 2019 Datacenter (simulated)');
  assert.equal(n.status?.nodeInfo?.kernelVersion, '10.0.17763');
  assert.equal(n.status?.nodeInfo?.operatingSystem, 'windows');
  assert.deepEqual(
    runtimeHandlers('windows', false).map((h) => h.name),
    ['runhcs-wcow-process', ''],
  );
  assert.deepEqual(
    runtimeHandlers('windows', true).map((h) => h.name),
    ['runhcs-wcow-process', '', 'runhcs-wcow-hypervisor'],
  );
  // a process-only node lists the process handler alone, on either OS
  for (const os of ['linux', 'windows'] as const) {
    assert.deepEqual(
      buildNode(d({ os, runtime: 'process', ...(os === 'windows' ? { windowsBuild: '10.0.20348' } : {}) }), 0, 0).status?.runtimeHandlers,
      [{ name: 'process', features: { recursiveReadOnlyMounts: false, userNamespaces: false } }],
    );
  }
  assert.equal(simNodeLabels(d({ os: 'windows', windowsBuild: '10.0.20348.2700' }))['node.kubernetes.io/windows-build'], '10.0.20348');
  assert.equal(osImage('windows', '10.0.20348'), 'Windows Server 2022 Datacenter (simulated)');
  assert.equal(osImage('windows', '10.0.26100'), 'Windows Server 2025 Datacenter (simulated)');
  assert.equal(majorMinorBuild('10.0'), undefined);
});

test('options: defaults and validation', () => {
  const client = {} as RestClient;
  const w = resolveSimOptions({ client, nodes: 2, os: 'windows' });
  assert.equal(w.windowsBuild, '10.0.20348');
  assert.equal(w.namePrefix, 'sim-windows-');
  assert.equal(w.defaultNamePrefix, true);
  assert.equal(resolveSimOptions({ client, nodes: 1, os: 'linux', namePrefix: 'sim-linux-' }).defaultNamePrefix, false);
  assert.equal(w.leaseRenewMs, 10_000);
  assert.equal(resolveSimOptions({ client, nodes: 1, os: 'linux' }).windowsBuild, undefined);
  assert.throws(() => resolveSimOptions({ client, nodes: 1, os: 'windows', windowsBuild: '2022' }), /windows-build/);
  assert.throws(() => resolveSimOptions({ client, nodes: 300, os: 'linux', podCidrBase: '10.244.0.0/16' }), /fewer than 300/);
  assert.throws(() => resolveSimOptions({ client, nodes: 1, os: 'linux', namePrefix: 'Bad_' }), /name-prefix/);
  assert.throws(() => resolveSimOptions({ client, nodes: -1, os: 'linux' }), /nodes/);
  assert.equal(resolveSimOptions({ client, nodes: 1, os: 'linux' }).runtime, 'containerd');
  assert.throws(
    () => resolveSimOptions({ client, nodes: 1, os: 'windows', runtime: 'process', hyperV: true }),
    /Hyper-V isolation needs a container runtime/,
  );
});
