import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, REASON } from './node-affinity.js';
import { info, mkNode, mkNodeInfo, mkPod, passing, runFilter, runScore } from '../../testing/fixtures.js';
import type { NodeSelectorRequirement } from '../../../api/gen/types.js';

const nodes = () => [
  mkNodeInfo(mkNode('a', { labels: { zone: 'z1', gen: '3', disk: 'ssd' } })),
  mkNodeInfo(mkNode('b', { labels: { zone: 'z2', gen: '5' } })),
  mkNodeInfo(mkNode('c', { labels: { zone: 'z3', 'kubernetes.io/os': 'windows' } })),
];
const required = (...reqs: NodeSelectorRequirement[]) =>
  mkPod('p', {
    spec: {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: reqs }] } } },
    },
  });

test('nodeSelector', () => {
  const r = runFilter(create(), info(mkPod('p', { spec: { nodeSelector: { 'kubernetes.io/os': 'windows' } } })), nodes());
  assert.deepEqual(passing(r), ['c']);
  assert.deepEqual(r.filter.get('a')?.reasons, [REASON]);
  assert.equal(r.filter.get('a')?.code, 'UnschedulableAndUnresolvable');
  assert.equal(runFilter(create(), info(mkPod('q')), nodes()).pre?.code, 'Skip');
});

test('required terms with every operator', () => {
  const run = (...r: NodeSelectorRequirement[]) => passing(runFilter(create(), info(required(...r)), nodes()));
  assert.deepEqual(run({ key: 'zone', operator: 'In', values: ['z1', 'z2'] }), ['a', 'b']);
  assert.deepEqual(run({ key: 'zone', operator: 'NotIn', values: ['z1'] }), ['b', 'c']);
  assert.deepEqual(run({ key: 'disk', operator: 'Exists' }), ['a']);
  assert.deepEqual(run({ key: 'disk', operator: 'DoesNotExist' }), ['b', 'c']);
  assert.deepEqual(run({ key: 'gen', operator: 'Gt', values: ['4'] }), ['b']);
  assert.deepEqual(run({ key: 'gen', operator: 'Lt', values: ['4'] }), ['a']);
  assert.deepEqual(run({ key: 'zone', operator: 'In', values: ['z1'] }, { key: 'gen', operator: 'Gt', values: ['4'] }), []);
});

test('terms are ORed; matchFields metadata.name', () => {
  const pod = mkPod('p', {
    spec: {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] },
              { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] },
            ],
          },
        },
      },
    },
  });
  assert.deepEqual(passing(runFilter(create(), info(pod), nodes())), ['a', 'c']);
});

test('preferred terms score by weight', () => {
  const pod = mkPod('p', {
    spec: {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] } },
            { weight: 5, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
          ],
        },
      },
    },
  });
  const s = runScore(create(), info(pod), nodes());
  assert.equal(s.get('b'), 100);
  assert.equal(s.get('a'), 50);
  assert.equal(s.get('c'), 0);
});
