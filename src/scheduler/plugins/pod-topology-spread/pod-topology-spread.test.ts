import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, REASON, REASON_MISSING_LABEL } from './pod-topology-spread.js';
import { info, mkNode, mkNodeInfo, mkPod, passing, runFilter, runScore } from '../../testing/fixtures.js';

const web = (name: string) => mkPod(name, { labels: { app: 'web' } });
const spread = (maxSkew: number, when = 'DoNotSchedule', minDomains?: number) =>
  mkPod('new', {
    labels: { app: 'web' },
    spec: {
      topologySpreadConstraints: [
        {
          maxSkew,
          topologyKey: 'zone',
          whenUnsatisfiable: when,
          labelSelector: { matchLabels: { app: 'web' } },
          ...(minDomains ? { minDomains } : {}),
        },
      ],
    },
  });

const cluster = () => [
  mkNodeInfo(mkNode('a1', { labels: { zone: 'a' } }), [web('w1'), web('w2')]),
  mkNodeInfo(mkNode('b1', { labels: { zone: 'b' } }), [web('w3')]),
  mkNodeInfo(mkNode('c1', { labels: { zone: 'c' } }), [mkPod('other', { labels: { app: 'db' } })]),
  mkNodeInfo(mkNode('x1')),
];

test('maxSkew 1 allows only the emptiest zone', () => {
  const r = runFilter(create(), info(spread(1)), cluster());
  assert.deepEqual(passing(r), ['c1']);
  assert.deepEqual(r.filter.get('a1')?.reasons, [REASON]);
  assert.equal(r.filter.get('a1')?.code, 'Unschedulable');
  assert.deepEqual(r.filter.get('x1')?.reasons, [REASON_MISSING_LABEL]);
});

test('maxSkew 2 admits the middle zone too', () => {
  assert.deepEqual(passing(runFilter(create(), info(spread(2)), cluster())), ['b1', 'c1']);
});

test('minDomains above the domain count makes the minimum 0', () => {
  const nodes = cluster().slice(0, 2);
  assert.deepEqual(passing(runFilter(create(), info(spread(1)), nodes)), ['b1']);
  assert.deepEqual(passing(runFilter(create(), info(spread(1, 'DoNotSchedule', 3)), nodes)), []);
});

test('ScheduleAnyway steers the score, not the filter', () => {
  const nodes = cluster().slice(0, 3);
  assert.equal(runFilter(create(), info(spread(1, 'ScheduleAnyway')), nodes).pre?.code, 'Skip');
  const s = runScore(create(), info(spread(1, 'ScheduleAnyway')), nodes);
  assert.ok((s.get('c1') ?? 0) > (s.get('b1') ?? 0));
  assert.ok((s.get('b1') ?? 0) > (s.get('a1') ?? 0));
});

test('counts kept between cycles follow pods added and removed and nodes that go away', async () => {
  const { addPod, removePod } = await import('../../framework/node-info.js');
  const nodes = cluster();
  assert.deepEqual(passing(runFilter(create(), info(spread(1)), nodes)), ['c1']);
  // a matching pod lands in zone c: a=2, b=1, c=1 -> b and c pass
  addPod(nodes[2]!, info(web('w4')));
  assert.deepEqual(passing(runFilter(create(), info(spread(1)), nodes)), ['b1', 'c1']);
  // zone a empties: a is the emptiest
  removePod(nodes[0]!, 'default/w1');
  removePod(nodes[0]!, 'default/w2');
  assert.deepEqual(passing(runFilter(create(), info(spread(1)), nodes)), ['a1']);
  // without zone a's node the minimum is 1 again
  assert.deepEqual(passing(runFilter(create(), info(spread(1)), nodes.slice(1))), ['b1', 'c1']);
});
