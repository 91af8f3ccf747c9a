import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, REASON_AFFINITY, REASON_ANTI, REASON_EXISTING_ANTI } from './inter-pod-affinity.js';
import { info, mkNode, mkNodeInfo, mkPod, passing, runFilter } from '../../testing/fixtures.js';
import type { PodAffinityTerm } from '../../../api/gen/types.js';

const term = (app: string, key = 'kubernetes.io/hostname'): PodAffinityTerm => ({
  labelSelector: { matchLabels: { app } },
  topologyKey: key,
});
const anti = (name: string, labels: Record<string, string>, t: PodAffinityTerm) =>
  mkPod(name, { labels, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } } } });
const aff = (name: string, labels: Record<string, string>, t: PodAffinityTerm) =>
  mkPod(name, { labels, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } } } });

test("the pod's required anti-affinity keeps it off nodes with matching pods", () => {
  const nodes = [mkNodeInfo(mkNode('a'), [mkPod('w1', { labels: { app: 'web' } })]), mkNodeInfo(mkNode('b'))];
  const r = runFilter(create(), info(anti('new', { app: 'web' }, term('web'))), nodes);
  assert.deepEqual(passing(r), ['b']);
  assert.deepEqual(r.filter.get('a')?.reasons, [REASON_ANTI]);
});

test('anti-affinity by zone covers every node of the zone; other namespaces do not count', () => {
  const nodes = [
    mkNodeInfo(mkNode('a1', { labels: { zone: 'a' } }), [mkPod('w1', { labels: { app: 'web' } })]),
    mkNodeInfo(mkNode('a2', { labels: { zone: 'a' } })),
    mkNodeInfo(mkNode('b1', { labels: { zone: 'b' } }), [mkPod('w2', { ns: 'other', labels: { app: 'web' } })]),
  ];
  assert.deepEqual(passing(runFilter(create(), info(anti('new', { app: 'web' }, term('web', 'zone'))), nodes)), ['b1']);
});

test("existing pods' anti-affinity rejects a matching newcomer", () => {
  const nodes = [mkNodeInfo(mkNode('a'), [anti('guard', { app: 'guard' }, term('web'))]), mkNodeInfo(mkNode('b'))];
  const r = runFilter(create(), info(mkPod('new', { labels: { app: 'web' } })), nodes);
  assert.deepEqual(passing(r), ['b']);
  assert.deepEqual(r.filter.get('a')?.reasons, [REASON_EXISTING_ANTI]);
  assert.equal(runFilter(create(), info(mkPod('plain', { labels: { app: 'db' } })), nodes).filter.get('a'), undefined);
});

test('required affinity follows matching pods; the first pod of a self-matching group goes anywhere', () => {
  const nodes = [mkNodeInfo(mkNode('a'), [mkPod('db', { labels: { app: 'db' } })]), mkNodeInfo(mkNode('b'))];
  const r = runFilter(create(), info(aff('new', { app: 'web' }, term('db'))), nodes);
  assert.deepEqual(passing(r), ['a']);
  assert.deepEqual(r.filter.get('b')?.reasons, [REASON_AFFINITY]);
  const empty = [mkNodeInfo(mkNode('a')), mkNodeInfo(mkNode('b'))];
  assert.deepEqual(passing(runFilter(create(), info(aff('first', { app: 'cache' }, term('cache'))), empty)), ['a', 'b']);
  assert.deepEqual(passing(runFilter(create(), info(aff('lonely', { app: 'web' }, term('db'))), empty)), []);
});
