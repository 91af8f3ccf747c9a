import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAlgorithm } from '../../algorithm.js';
import { createDefaultRegistry, defaultProfile } from '../../default-profile.js';
import { createFramework } from '../../framework/framework.js';
import { createStaticSnapshot } from '../../framework/snapshot.js';
import {
  create,
  noHandlerReason,
  REASON_HOST_PROCESS,
  REASON_NO_DEFAULT,
  REASON_NO_PROCESS,
  REASON_PROCESS_ONLY,
} from './node-runtime-handler.js';
import { info, mkNode, mkNodeInfo, mkPod, passing, rc, runFilter, type PodOpts } from '../../testing/fixtures.js';

const win = { 'kubernetes.io/os': 'windows' };
// what each kind of node lists in status.runtimeHandlers
const nodes = () => [
  mkNodeInfo(mkNode('lin-1', { runtimeHandlers: ['runc', ''] })),
  mkNodeInfo(mkNode('win-1', { labels: win, runtimeHandlers: ['runhcs-wcow-process', ''] })),
  mkNodeInfo(mkNode('win-2', { labels: win, runtimeHandlers: ['runhcs-wcow-process', '', 'runhcs-wcow-hypervisor'] })),
  mkNodeInfo(mkNode('win-3', { labels: win, runtimeHandlers: ['process'] })),
  mkNodeInfo(mkNode('old', { labels: win })),
];
const classes = [rc('hyperv', 'runhcs-wcow-hypervisor'), rc('process', 'process'), rc('kata', 'kata')];
const run = (spec: PodOpts['spec']) => runFilter(create(), info(mkPod('p', { spec }), classes), nodes());

test('a pod without a class needs the default container runtime', () => {
  const r = run({});
  assert.deepEqual(passing(r), ['lin-1', 'win-1', 'win-2', 'old']);
  assert.deepEqual(r.filter.get('win-3')?.reasons, [REASON_PROCESS_ONLY]);
  assert.equal(r.filter.get('win-3')?.code, 'UnschedulableAndUnresolvable');
  // a node with handlers but no default one
  const odd = runFilter(create(), info(mkPod('p')), [mkNodeInfo(mkNode('k', { runtimeHandlers: ['kata', 'process'] }))]);
  assert.deepEqual(odd.filter.get('k')?.reasons, [REASON_NO_DEFAULT]);
});

test("a pod with a class needs the class's handler", () => {
  const hv = run({ runtimeClassName: 'hyperv' });
  assert.deepEqual(passing(hv), ['win-2', 'old']);
  assert.deepEqual(hv.filter.get('win-1')?.reasons, [noHandlerReason('runhcs-wcow-hypervisor')]);
  assert.equal(noHandlerReason('runhcs-wcow-hypervisor'), 'node(s) have no runtime for handler "runhcs-wcow-hypervisor"');
  const proc = run({ runtimeClassName: 'process' });
  assert.deepEqual(passing(proc), ['win-3', 'old']);
  assert.deepEqual(proc.filter.get('lin-1')?.reasons, [REASON_NO_PROCESS]);
  assert.deepEqual(passing(run({ runtimeClassName: 'kata' })), ['old']);
});

test('a HostProcess pod without a class runs on native processes or a container runtime', () => {
  const hp = { windowsOptions: { hostProcess: true } };
  assert.deepEqual(passing(run({ hostNetwork: true, securityContext: hp })), ['lin-1', 'win-1', 'win-2', 'win-3', 'old']);
  // every container HostProcess counts as a HostProcess pod too
  const perContainer = { hostNetwork: true, containers: [{ name: 'c', image: 'x', securityContext: hp }] };
  assert.deepEqual(passing(run(perContainer)), ['lin-1', 'win-1', 'win-2', 'win-3', 'old']);
  const nowhere = runFilter(create(), info(mkPod('p', { spec: { securityContext: hp } })), [
    mkNodeInfo(mkNode('k', { runtimeHandlers: ['kata'] })),
  ]);
  assert.deepEqual(nowhere.filter.get('k')?.reasons, [REASON_HOST_PROCESS]);
  // with a class, the class decides
  assert.deepEqual(passing(run({ runtimeClassName: 'process', securityContext: hp })), ['win-3', 'old']);
});

test('a missing class is left to the RuntimeClass plugin', () => {
  assert.equal(run({ runtimeClassName: 'ghost' }).pre?.code, 'Skip');
});

test('the FailedScheduling message counts the misses over the fleet', () => {
  const lookup = (n: string) => classes.find((c) => c.metadata.name === n);
  const fw = createFramework(createDefaultRegistry(), defaultProfile(), { runtimeClass: lookup });
  const fleet = [
    mkNodeInfo(mkNode('win-1', { labels: win, runtimeHandlers: ['runhcs-wcow-process', ''] })),
    mkNodeInfo(mkNode('win-2', { labels: win, runtimeHandlers: ['runhcs-wcow-process', ''] })),
    mkNodeInfo(mkNode('win-3', { labels: win, runtimeHandlers: ['process'] })),
    mkNodeInfo(mkNode('lin-1', { runtimeHandlers: ['runc', ''] })),
  ];
  const hv = createAlgorithm(fw).schedule(
    info(mkPod('iis', { spec: { runtimeClassName: 'hyperv' } }), classes),
    createStaticSnapshot(fleet),
  );
  assert.equal(hv.kind, 'unschedulable');
  assert.match(
    hv.kind === 'unschedulable' ? hv.message : '',
    /^0\/4 nodes are available: 1 node\(s\) didn't match Pod's OS \(windows\), 3 node\(s\) have no runtime for handler "runhcs-wcow-hypervisor"\./,
  );
  const plain = createAlgorithm(fw).schedule(
    info(mkPod('app', { spec: { os: { name: 'windows' } } })),
    createStaticSnapshot([fleet[2]!, fleet[3]!]),
  );
  assert.match(
    plain.kind === 'unschedulable' ? plain.message : '',
    /^0\/2 nodes are available: 1 node\(s\) didn't match Pod's OS \(windows\), 1 node\(s\) run native processes only; this pod needs a container runtime\./,
  );
  const ok = createAlgorithm(fw).schedule(
    info(mkPod('agent', { spec: { runtimeClassName: 'process', os: { name: 'windows' } } }), classes),
    createStaticSnapshot(fleet),
  );
  assert.equal(ok.kind === 'scheduled' ? ok.nodeName : ok.kind, 'win-3');
});
