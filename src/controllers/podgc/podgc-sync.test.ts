// Passes of the pod garbage collector against an in-memory world: what is patched and deleted, in
// which order, after how long, and what happens when the API fails or the cache lags.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../../api/gen/types.js';
import { StatusError } from '../../base/errors.js';
import { nullLogger } from '../../base/log.js';
import { createPodGc } from './podgc-sync.js';
import type { PodGcSyncDeps } from './podgc-sync-deps.js';

const T0 = Date.parse('2024-03-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(name: string, o: { phase?: string; node?: string; created?: number; deleting?: boolean } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      creationTimestamp: iso(o.created ?? T0),
      ...(o.deleting ? { deletionTimestamp: iso(T0) } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'i' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: { phase: o.phase ?? 'Running' },
  };
}
const node = (name: string, ready = 'True', taints: string[] = []): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: { taints: taints.map((key) => ({ key, effect: 'NoExecute' })) },
  status: { conditions: [{ type: 'Ready', status: ready }] },
});

/** The cluster as the collector sees it: a pod cache, a node cache, and the API behind them. */
function fakeWorld(pods: Pod[], cachedNodes: Node[], opts: { apiNodes?: string[]; failDelete?: string } = {}) {
  const calls: string[] = [];
  const patches = new Map<string, unknown>();
  let clock = T0;
  const apiNodes = new Set(opts.apiNodes ?? cachedNodes.map((n) => n.metadata.name ?? ''));
  let cache = [...cachedNodes];
  const w: PodGcSyncDeps = {
    listPods: () => [...pods],
    getNode: (n) => cache.find((x) => x.metadata.name === n),
    now: () => clock,
    log: nullLogger,
    inFlight: 1, // one lane: the call order is the deletion order
    api: {
      nodeExists: async (n) => {
        calls.push(`get node/${n}`);
        if (n === 'flaky') throw new StatusError(500, 'InternalError', 'etcd is sad');
        return apiNodes.has(n);
      },
      patchPodStatus: async (p, patch) => {
        calls.push(`patch ${p.metadata.name}`);
        patches.set(p.metadata.name ?? '', patch);
      },
      forceDeletePod: async (p) => {
        calls.push(`delete ${p.metadata.name}`);
        if (p.metadata.name === opts.failDelete) throw new StatusError(500, 'InternalError', 'boom');
        const i = pods.findIndex((x) => x.metadata.uid === p.metadata.uid);
        if (i < 0) throw new StatusError(404, 'NotFound', `pods "${p.metadata.name}" not found`);
        pods.splice(i, 1);
      },
    },
  };
  return {
    w,
    calls,
    patches,
    pods,
    advance: (ms: number) => {
      clock += ms;
    },
    setCache: (ns: Node[]) => {
      cache = ns;
    },
    addApiNode: (n: string) => apiNodes.add(n),
  };
}

test('orphaned pods: nothing before the quarantine ends, then Failed with DisruptionTarget and force-deleted', async () => {
  const f = fakeWorld(
    [pod('live', { node: 'n1' }), pod('orphan', { node: 'gone' }), pod('done', { node: 'gone', phase: 'Succeeded' })],
    [node('n1')],
  );
  const gc = createPodGc(f.w, { terminatedPodGcThreshold: 12_500, quarantineMs: 40_000 });
  for (const after of [0, 20_000, 19_999]) {
    f.advance(after);
    const r = await gc.run();
    assert.equal(r.orphaned, 0);
  }
  assert.deepEqual(f.calls, [], 'quarantined: no GET, no write');
  f.advance(1);
  const r = await gc.run();
  assert.deepEqual(f.calls, ['get node/gone', 'patch orphan', 'delete orphan', 'delete done']);
  assert.equal(r.orphaned, 2);
  assert.deepEqual(f.patches.get('orphan'), {
    metadata: { uid: 'uid-orphan' },
    status: {
      phase: 'Failed',
      conditions: [
        {
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'DeletionByPodGC',
          message: 'PodGC: node no longer exists',
          lastTransitionTime: iso(T0 + 40_000),
        },
      ],
    },
  });
  assert.deepEqual(
    f.pods.map((p) => p.metadata.name),
    ['live'],
  );
});

test('a node the cache has not seen yet but the API has is not a deleted node', async () => {
  const f = fakeWorld([pod('new', { node: 'fresh' })], [], { apiNodes: ['fresh'] });
  const gc = createPodGc(f.w, { terminatedPodGcThreshold: 0, quarantineMs: 1000 });
  await gc.run();
  f.advance(1000);
  await gc.run();
  assert.deepEqual(f.calls, ['get node/fresh'], 'checked once the quarantine ended, found, nothing deleted');
  // the cache catches up before the next deadline: no more GETs at all
  f.setCache([node('fresh')]);
  f.advance(5000);
  await gc.run();
  f.advance(5000);
  await gc.run();
  assert.deepEqual(f.calls, ['get node/fresh']);
  assert.equal(f.pods.length, 1);
});

test('a failed node check is retried after another quarantine; a failed delete does not stop the pass', async () => {
  const f = fakeWorld([pod('a', { node: 'flaky' }), pod('b', { node: 'gone' }), pod('c', { node: 'gone' })], [], { failDelete: 'b' });
  const gc = createPodGc(f.w, { terminatedPodGcThreshold: 0, quarantineMs: 0 });
  const r = await gc.run();
  assert.deepEqual(f.calls, ['get node/flaky', 'get node/gone', 'patch b', 'delete b', 'patch c', 'delete c']);
  assert.equal(r.orphaned, 1);
  assert.equal(r.failed, 1);
  assert.deepEqual(
    f.pods.map((p) => p.metadata.name),
    ['a', 'b'],
  );
});

test('terminated pods over the threshold go oldest first, without a status patch', async () => {
  const pods = [
    pod('a3', { phase: 'Succeeded', node: 'n1', created: T0 + 3000 }),
    pod('z1', { phase: 'Failed', node: 'n1', created: T0 + 1000 }),
    pod('run', { node: 'n1', created: T0 }),
    pod('m2', { phase: 'Succeeded', node: 'n1', created: T0 + 2000 }),
    pod('b4', { phase: 'Succeeded', node: 'n1', created: T0 + 4000 }),
  ];
  const f = fakeWorld(pods, [node('n1')]);
  const gc = createPodGc(f.w, { terminatedPodGcThreshold: 2, quarantineMs: 40_000 });
  const r = await gc.run();
  assert.equal(r.terminated, 2);
  assert.deepEqual(f.calls, ['delete z1', 'delete m2'], 'by age, not by name');
  assert.deepEqual((await gc.run()).terminated, 0, 'at the threshold: nothing more');
  const off = fakeWorld([pod('x', { phase: 'Failed', node: 'n1' })], [node('n1')]);
  assert.equal((await createPodGc(off.w, { terminatedPodGcThreshold: 0, quarantineMs: 0 }).run()).terminated, 0);
});

test('terminating pods: on an out-of-service NotReady node and unscheduled ones go; on a NotReady node alone they stay', async () => {
  const OOS = 'node.kubernetes.io/out-of-service';
  const f = fakeWorld(
    [
      pod('stuck', { node: 'down-oos', deleting: true }),
      pod('waiting', { node: 'down', deleting: true }),
      pod('healthy', { node: 'ready-oos', deleting: true }),
      pod('never-bound', { deleting: true }),
      pod('pending'),
    ],
    [node('down-oos', 'False', [OOS]), node('down', 'False'), node('ready-oos', 'True', [OOS])],
  );
  const r = await createPodGc(f.w, { terminatedPodGcThreshold: 12_500, quarantineMs: 40_000 }).run();
  assert.deepEqual(f.calls, ['patch stuck', 'delete stuck', 'patch never-bound', 'delete never-bound']);
  assert.equal(r['terminating-out-of-service'], 1);
  assert.equal(r['terminating-unscheduled'], 1);
  assert.deepEqual(f.patches.get('stuck'), { metadata: { uid: 'uid-stuck' }, status: { phase: 'Failed' } });
});

test('a pod that qualifies twice in one pass is deleted once; one that vanished meanwhile is no error', async () => {
  // terminated beyond the threshold and on a deleted node
  const f = fakeWorld(
    [pod('old', { phase: 'Failed', node: 'gone' }), pod('new', { phase: 'Failed', node: 'gone', created: T0 + 1000 })],
    [],
  );
  const gc = createPodGc(f.w, { terminatedPodGcThreshold: 1, quarantineMs: 0 });
  const r = await gc.run();
  assert.deepEqual(f.calls, ['delete old', 'get node/gone', 'delete new']);
  assert.deepEqual([r.terminated, r.orphaned, r.failed], [1, 1, 0]);
  // the cache still lists a pod the API already removed: 404 counts as done
  const lagging = fakeWorld([pod('ghost', { deleting: true })], []);
  const pods = [...lagging.pods];
  lagging.w.listPods = () => pods;
  lagging.pods.splice(0);
  const r2 = await createPodGc(lagging.w, { terminatedPodGcThreshold: 0, quarantineMs: 0 }).run();
  assert.deepEqual([r2['terminating-unscheduled'], r2.failed], [1, 0]);
});
