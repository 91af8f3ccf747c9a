import { test } from 'node:test';
import assert from 'node:assert/strict';
import { balancedScore } from './node-resources-balanced-allocation.js';
import { info, mkNode, mkNodeInfo, mkPod } from '../../testing/fixtures.js';

test('BalancedAllocation prefers equal cpu and memory shares', () => {
  const pod = info(mkPod('p', { cpu: '1', memory: '2Gi' }));
  const balanced = mkNodeInfo(mkNode('b', { cpu: '4', memory: '8Gi' }));
  const skewed = mkNodeInfo(mkNode('s', { cpu: '4', memory: '8Gi' }), [mkPod('x', { cpu: '2', memory: '100Mi' })]);
  assert.equal(balancedScore(pod, balanced), 100);
  assert.ok(balancedScore(pod, skewed) < 100);
});
