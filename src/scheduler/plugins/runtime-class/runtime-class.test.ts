import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, notFoundReason } from './runtime-class.js';
import { info, mkNode, mkNodeInfo, mkPod, rc, runFilter } from '../../testing/fixtures.js';

const nodes = () => [mkNodeInfo(mkNode('plain')), mkNodeInfo(mkNode('kata', { labels: { sandbox: 'kata' } }))];

test('a missing RuntimeClass is unresolvable; no class, or a class that exists, skips', () => {
  const r = runFilter(create(), info(mkPod('p', { spec: { runtimeClassName: 'ghost' } })), nodes());
  assert.equal(r.pre?.code, 'UnschedulableAndUnresolvable');
  assert.deepEqual(r.pre?.reasons, [notFoundReason('ghost')]);
  assert.equal(runFilter(create(), info(mkPod('q')), nodes()).pre?.code, 'Skip');
  assert.equal(runFilter(create(), info(mkPod('q', { spec: { runtimeClassName: 'r' } }), [rc('r', 'runc')]), nodes()).pre?.code, 'Skip');
});
