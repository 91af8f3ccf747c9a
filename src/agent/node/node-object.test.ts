import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeCondition } from '../../api/gen/types.js';
import { LABEL_INSTANCE_TYPE, LABEL_WINDOWS_BUILD, LABEL_ZONE } from '../../api/well-known.js';
import type { HostInfo } from '../platform/common/platform.js';
import { buildNode as buildSimNode, SIMULATED_LABEL, simHost } from '../sim/node-object.js';
import { capacityOf } from './capacity.js';
import { nodeConditions, stampNodeConditions } from './node-conditions.js';
import { buildNode, majorMinorBuild, nodeLabels, nodeSpec, nodeStatus } from './node-object.js';
import { simNodeDescription } from '../sim/testing/sim-node-description.js';

const host = (o: Partial<HostInfo> = {}): HostInfo => ({
  os: 'linux',
  arch: 'amd64',
  hostname: 'h',
  kernelVersion: '6.1.0',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  machineId: 'm',
  systemUuid: 's',
  bootId: 'b',
  cpuCores: 4,
  memoryBytes: 8 * 1024 ** 3,
  ephemeralStorageBytes: 100 * 1024 ** 3,
  addresses: [{ type: 'InternalIP', address: '192.0.2.10' }],
  ...o,
});

const sim = simNodeDescription;

/** The sim's labels without the three only it adds. */
const withoutSimOnly = (l: Record<string, string> | undefined) =>
  Object.fromEntries(Object.entries(l ?? {}).filter(([k]) => k !== LABEL_INSTANCE_TYPE && k !== SIMULATED_LABEL && k !== LABEL_ZONE));

test('a real host and a simulated one get the same labels from the one builder (Windows, with the build label)', () => {
  const real = buildNode({
    name: 'win-0',
    host: host({ os: 'windows', windowsBuild: '10.0.20348.2700', kernelVersion: '10.0.20348.2700' }),
    labels: { team: 'a' },
  });
  const simulated = buildSimNode(
    sim({ name: 'win-0', os: 'windows', windowsBuild: '10.0.20348.2700', labels: { team: 'a' }, zone: 'zone-1' }),
    0,
    0,
  );
  assert.deepEqual(real.metadata.labels, {
    team: 'a',
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'windows',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': 'win-0',
    'kubernetes.io/os': 'windows',
    'node.kubernetes.io/windows-build': '10.0.20348',
  });
  assert.deepEqual(withoutSimOnly(simulated.metadata.labels), real.metadata.labels);
  assert.equal(simulated.metadata.labels?.[LABEL_WINDOWS_BUILD], '10.0.20348');
  assert.equal(simulated.metadata.labels?.[LABEL_INSTANCE_TYPE], 'tandem-sim');
  assert.equal(simulated.metadata.labels?.[SIMULATED_LABEL], 'true');
  assert.equal(simulated.metadata.labels?.[LABEL_ZONE], 'zone-1');
});

test('Linux: the same labels on both paths and no build label; well-known labels win over given ones', () => {
  const real = buildNode({ name: 'n0', host: host(), labels: { 'kubernetes.io/os': 'windows', x: '1' } });
  const simulated = buildSimNode(sim({ labels: { 'kubernetes.io/os': 'windows', x: '1' } }), 0, 0);
  assert.equal(real.metadata.labels?.['kubernetes.io/os'], 'linux');
  assert.equal(real.metadata.labels?.[LABEL_WINDOWS_BUILD], undefined);
  assert.deepEqual(withoutSimOnly(simulated.metadata.labels), real.metadata.labels);
  // a Windows build on a Linux host is no label
  assert.equal(nodeLabels('n0', { os: 'linux', arch: 'amd64', windowsBuild: '10.0.17763' })[LABEL_WINDOWS_BUILD], undefined);
});

test('nodeInfo, addresses and handlers come from the host description on both paths', () => {
  const d = sim({ os: 'windows', windowsBuild: '10.0.17763' });
  const fromSim = buildSimNode(d, 0, 0).status;
  const sameHost = nodeStatus({
    host: simHost(d),
    capacity: {},
    allocatable: {},
    conditions: [],
    containerRuntimeVersion: 'sim://1.0.0',
    kubeletVersion: d.kubeletVersion,
    kubeProxyVersion: d.kubeletVersion,
    kubeletPort: 10250,
    handlers: [
      { name: 'runhcs-wcow-process', recursiveReadOnlyMounts: false, userNamespaces: false },
      { name: '', recursiveReadOnlyMounts: false, userNamespaces: false },
    ],
  });
  assert.deepEqual(fromSim?.nodeInfo, sameHost.nodeInfo);
  assert.deepEqual(fromSim?.addresses, sameHost.addresses);
  assert.deepEqual(fromSim?.runtimeHandlers, sameHost.runtimeHandlers);
  assert.equal(sameHost.nodeInfo?.operatingSystem, 'windows');
  assert.equal(sameHost.nodeInfo?.kernelVersion, '10.0.17763');
});

test('spec, capacity and the agent conditions', () => {
  assert.deepEqual(nodeSpec({}), {});
  assert.deepEqual(nodeSpec({ podCidr: '10.1.0.0/24', taints: [{ key: 'k', effect: 'NoSchedule' }] }), {
    podCIDR: '10.1.0.0/24',
    podCIDRs: ['10.1.0.0/24'],
    taints: [{ key: 'k', effect: 'NoSchedule' }],
  });
  const r = capacityOf(host());
  assert.equal(r.capacity['cpu'], '4');
  assert.equal(r.allocatable['cpu'], '3900m');
  assert.equal(r.capacity['pods'], '110');
  const rc = [
    { type: 'RuntimeReady', status: true, reason: '', message: '' },
    { type: 'NetworkReady', status: false, reason: 'NoCNI', message: 'none' },
  ];
  const conds = nodeConditions(rc, { memory: false, disk: true, pid: false });
  assert.deepEqual(
    conds.map((c) => [c.type, c.status]),
    [
      ['MemoryPressure', 'False'],
      ['DiskPressure', 'True'],
      ['PIDPressure', 'False'],
      ['Ready', 'False'],
    ],
  );
  const first = stampNodeConditions(conds, undefined, Date.UTC(2024, 0, 1));
  const later = stampNodeConditions(conds, first, Date.UTC(2024, 0, 2));
  const ready = (l: NodeCondition[]) => l.find((c) => c.type === 'Ready');
  assert.equal(ready(later)?.lastTransitionTime, '2024-01-01T00:00:00Z', 'the transition time stays while the status stays');
  assert.equal(ready(later)?.lastHeartbeatTime, '2024-01-02T00:00:00Z');
  assert.equal(majorMinorBuild('10.0.20348.2700'), '10.0.20348');
});
