import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, REASON_UNSCHEDULABLE } from './node-unschedulable.js';
import { info, mkNode, mkNodeInfo, mkPod, passing, runFilter } from '../../testing/fixtures.js';

test('cordoned nodes reject pods unless they tolerate the unschedulable taint', () => {
  const nodes = [mkNodeInfo(mkNode('a')), mkNodeInfo(mkNode('b', { unschedulable: true }))];
  const r = runFilter(create(), info(mkPod('p')), nodes);
  assert.deepEqual(passing(r), ['a']);
  assert.equal(r.filter.get('b')?.code, 'UnschedulableAndUnresolvable');
  assert.deepEqual(r.filter.get('b')?.reasons, [REASON_UNSCHEDULABLE]);
  const tol = info(mkPod('q', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }));
  assert.deepEqual(passing(runFilter(create(), tol, nodes)), ['a', 'b']);
});
