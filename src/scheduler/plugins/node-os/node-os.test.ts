import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, osReason } from './node-os.js';
import { info, mkNode, mkNodeInfo, mkPod, passing, rc, runFilter } from '../../testing/fixtures.js';

const win = { 'kubernetes.io/os': 'windows' };
const nodes = () => [
  mkNodeInfo(mkNode('lin')),
  mkNodeInfo(mkNode('win-process', { labels: win, runtimeHandlers: ['runhcs-wcow-process'] })),
  mkNodeInfo(mkNode('win-hyperv', { labels: win, runtimeHandlers: ['runhcs-wcow-process', 'runhcs-wcow-hypervisor'] })),
  mkNodeInfo(mkNode('win-old', { labels: win })),
];
const classes = [rc('hyperv', 'runhcs-wcow-hypervisor'), rc('process', 'runhcs-wcow-process'), rc('runc', 'runc')];

test('spec.os.name must equal the node OS label', () => {
  const r = runFilter(create(), info(mkPod('w', { spec: { os: { name: 'windows' } } })), nodes());
  assert.deepEqual(passing(r), ['win-process', 'win-hyperv', 'win-old']);
  assert.deepEqual(r.filter.get('lin')?.reasons, [osReason('windows')]);
  assert.deepEqual(passing(runFilter(create(), info(mkPod('l', { spec: { os: { name: 'linux' } } })), nodes())), ['lin']);
});

test('a runhcs handler implies windows (whether the node offers it is for NodeRuntimeHandler)', () => {
  const r = runFilter(create(), info(mkPod('h', { spec: { runtimeClassName: 'hyperv' } }), classes), nodes());
  assert.deepEqual(passing(r), ['win-process', 'win-hyperv', 'win-old']);
  assert.deepEqual(r.filter.get('lin')?.reasons, [osReason('windows')]);
});

test('conflicting OS and handler is unresolvable; no hint means Linux; an OS affinity decides itself', () => {
  const r = runFilter(create(), info(mkPod('x', { spec: { os: { name: 'linux' }, runtimeClassName: 'process' } }), classes), nodes());
  assert.equal(r.pre?.code, 'UnschedulableAndUnresolvable');
  assert.deepEqual(passing(runFilter(create(), info(mkPod('any')), nodes())), ['lin']);
  assert.deepEqual(passing(runFilter(create(), info(mkPod('sel', { spec: { nodeSelector: win } })), nodes())), [
    'win-process',
    'win-hyperv',
    'win-old',
  ]);
  const aff = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'Exists' }] }],
      },
    },
  };
  assert.equal(runFilter(create(), info(mkPod('aff', { spec: { affinity: aff } })), nodes()).pre?.code, 'Skip');
  // a handler that implies no OS leaves the pod a Linux pod
  assert.deepEqual(passing(runFilter(create(), info(mkPod('r', { spec: { runtimeClassName: 'runc' } }), classes), nodes())), ['lin']);
});
