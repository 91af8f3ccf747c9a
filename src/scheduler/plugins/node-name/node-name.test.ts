import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from './node-name.js';
import { info, mkNode, mkNodeInfo, mkPod, passing, runFilter } from '../../testing/fixtures.js';

test('a pod naming a node fits only that node', () => {
  const nodes = [mkNodeInfo(mkNode('a')), mkNodeInfo(mkNode('b'))];
  assert.deepEqual(passing(runFilter(create(), info(mkPod('p', { nodeName: 'b' })), nodes)), ['b']);
  assert.deepEqual(passing(runFilter(create(), info(mkPod('p')), nodes)), ['a', 'b']);
});
