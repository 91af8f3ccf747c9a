import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from './taint-toleration.js';
import { info, mkNode, mkNodeInfo, mkPod, passing, rc, runFilter, runScore } from '../../testing/fixtures.js';

const nodes = () => [
  mkNodeInfo(mkNode('plain')),
  mkNodeInfo(mkNode('gpu', { taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] })),
  mkNodeInfo(mkNode('evict', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] })),
  mkNodeInfo(mkNode('soft', { taints: [{ key: 'spot', value: 'yes', effect: 'PreferNoSchedule' }] })),
];

test('NoSchedule and NoExecute taints need a toleration; PreferNoSchedule does not filter', () => {
  const r = runFilter(create(), info(mkPod('p')), nodes());
  assert.deepEqual(passing(r), ['plain', 'soft']);
  assert.deepEqual(r.filter.get('gpu')?.reasons, ['node(s) had untolerated taint {gpu: true}']);
  assert.equal(r.filter.get('gpu')?.code, 'UnschedulableAndUnresolvable');
  const tol = info(
    mkPod('q', {
      tolerations: [
        { key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
        { key: 'dedicated', operator: 'Exists' },
      ],
    }),
  );
  assert.deepEqual(passing(runFilter(create(), tol, nodes())), ['plain', 'gpu', 'evict', 'soft']);
  const wrongValue = info(mkPod('w', { tolerations: [{ key: 'gpu', operator: 'Equal', value: 'false' }] }));
  assert.ok(!passing(runFilter(create(), wrongValue, nodes())).includes('gpu'));
});

test('RuntimeClass tolerations count once admission merged them into the pod, not from the class itself', () => {
  const classes = [rc('gpu', 'runc', { scheduling: { tolerations: [{ key: 'gpu', operator: 'Exists' }] } })];
  const bare = info(mkPod('p', { spec: { runtimeClassName: 'gpu' } }), classes);
  assert.ok(!passing(runFilter(create(), bare, nodes())).includes('gpu'));
  const admitted = info(mkPod('p', { spec: { runtimeClassName: 'gpu', tolerations: [{ key: 'gpu', operator: 'Exists' }] } }), classes);
  assert.ok(passing(runFilter(create(), admitted, nodes())).includes('gpu'));
});

test('PreferNoSchedule taints lower the score', () => {
  const list = nodes();
  const s = runScore(create(), info(mkPod('p')), [list[0]!, list[3]!]);
  assert.equal(s.get('plain'), 100);
  assert.equal(s.get('soft'), 0);
  const tolerant = runScore(
    create(),
    info(mkPod('p', { tolerations: [{ key: 'spot', operator: 'Exists', effect: 'PreferNoSchedule' }] })),
    [list[0]!, list[3]!],
  );
  assert.equal(tolerant.get('soft'), 100);
});
