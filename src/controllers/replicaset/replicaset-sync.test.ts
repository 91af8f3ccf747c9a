import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ReplicaSet, ReplicaSetStatus } from '../../api/gen/types.js';
import { StatusError } from '../../base/errors.js';
import { objectKey } from '../../client/object-key.js';
import { createExpectations } from '../shared/expectations.js';
import { controllerRefOf } from '../shared/owner-refs.js';
import { BURST_REPLICAS, syncReplicaSet } from './replicaset-sync.js';
import type { ReplicaSetSyncDeps } from './replicaset-sync-deps.js';
import { podsToDelete } from './pod-ranking.js';

const T0 = Date.parse('2024-05-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function makeRS(replicas: number, extra: Partial<ReplicaSet['spec']> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid', generation: 3, resourceVersion: '1' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', extra: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      ...extra,
    },
  };
}

let seq = 0;
function makePod(
  o: {
    owned?: boolean;
    labels?: Record<string, string>;
    node?: string;
    phase?: string;
    readyAt?: number;
    created?: number;
    name?: string;
  } = {},
): Pod {
  const name = o.name ?? `p${seq++}`;
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      resourceVersion: '5',
      labels: o.labels ?? { app: 'web', extra: 'x' },
      creationTimestamp: iso(o.created ?? T0),
    },
    spec: o.node ? { nodeName: o.node, containers: [{ name: 'c', image: 'i' }] } : { containers: [{ name: 'c', image: 'i' }] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.readyAt !== undefined ? [{ type: 'Ready', status: 'True', lastTransitionTime: iso(o.readyAt) }] : [],
    },
  };
  if (o.owned !== false)
    p.metadata.ownerReferences = [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true },
    ];
  return p;
}

function fakeWorld(rs: ReplicaSet | undefined, pods: Pod[], now = T0) {
  const calls = {
    created: [] as Pod[],
    deleted: [] as string[],
    patched: [] as { name: string; patch: Record<string, unknown> }[],
    statuses: [] as ReplicaSetStatus[],
    requeues: [] as number[],
  };
  let clock = now;
  let liveUid = rs?.metadata.uid;
  let failCreatesAfter = Infinity;
  const w: ReplicaSetSyncDeps = {
    getReplicaSet: () => rs,
    podsControlledBy: (uid) => pods.filter((p) => controllerRefOf(p)?.uid === uid),
    orphanPodsIn: (ns) => pods.filter((p) => !controllerRefOf(p) && p.metadata.namespace === ns),
    expectations: createExpectations(() => clock),
    now: () => clock,
    requeueAfter: (_k, ms) => {
      calls.requeues.push(ms);
    },
    api: {
      async createPod(_ns, pod) {
        if (calls.created.length >= failCreatesAfter) throw new StatusError(403, 'Forbidden', 'exceeded quota');
        calls.created.push(pod);
        return { ...pod, metadata: { ...pod.metadata, name: `${pod.metadata.generateName ?? ''}${calls.created.length}` } };
      },
      async deletePod(_ns, name) {
        calls.deleted.push(name);
      },
      async patchPod(_ns, name, patch) {
        calls.patched.push({ name, patch });
        const p = pods.find((x) => x.metadata.name === name) as Pod;
        return { ...p, metadata: { ...p.metadata, ...(patch['metadata'] as object) } } as Pod;
      },
      async getReplicaSet() {
        return rs && { ...rs, metadata: { ...rs.metadata, uid: liveUid } };
      },
      async updateStatus(r, status) {
        calls.statuses.push(status);
        return { ...r, status };
      },
    },
  };
  return {
    w,
    calls,
    tick: (ms: number) => {
      clock += ms;
    },
    setLiveUid: (u: string) => {
      liveUid = u;
    },
    failCreatesAfter: (n: number) => {
      failCreatesAfter = n;
    },
  };
}

test('creates the missing pods from the template, owned by the ReplicaSet, and waits for them to be observed', async () => {
  const rs = makeRS(5);
  const f = fakeWorld(rs, [makePod({ node: 'n1', readyAt: T0 }), makePod({ node: 'n1', readyAt: T0 })]);
  await syncReplicaSet(f.w, 'ns/web');
  assert.equal(f.calls.created.length, 3);
  const p = f.calls.created[0] as Pod;
  assert.equal(p.metadata.generateName, 'web-');
  assert.deepEqual(p.metadata.labels, { app: 'web', extra: 'x' });
  assert.deepEqual(p.metadata.ownerReferences, [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true },
  ]);
  assert.deepEqual(p.spec?.containers, [{ name: 'c', image: 'i' }]);
  // the informer has not seen them yet: a second sync must not create more
  await syncReplicaSet(f.w, 'ns/web');
  assert.equal(f.calls.created.length, 3);
  for (let i = 0; i < 3; i++) f.w.expectations.creationObserved('ns/web');
  await syncReplicaSet(f.w, 'ns/web');
  assert.equal(f.calls.created.length, 6, 'cache still shows 2 pods, expectations satisfied: creates again');
});

test('at most BURST_REPLICAS creations per round; a failing batch stops and records ReplicaFailure', async () => {
  const f = fakeWorld(makeRS(1000), []);
  await syncReplicaSet(f.w, 'ns/web');
  assert.equal(f.calls.created.length, BURST_REPLICAS);
  const g = fakeWorld(makeRS(100), []);
  g.failCreatesAfter(5);
  await assert.rejects(syncReplicaSet(g.w, 'ns/web'), /FailedCreate/);
  assert.equal(g.calls.created.length, 5);
  assert.ok(!g.w.expectations.satisfied('ns/web'));
  for (let i = 0; i < 5; i++) g.w.expectations.creationObserved('ns/web');
  assert.ok(g.w.expectations.satisfied('ns/web'), 'failed and skipped creations are not waited for');
  const cond = g.calls.statuses.at(-1)?.conditions?.[0];
  assert.equal(cond?.type, 'ReplicaFailure');
  assert.equal(cond?.reason, 'FailedCreate');
});

test('deletes surplus pods: unscheduled, then pending, then not ready, then newest', async () => {
  const pods = [
    makePod({ name: 'old-ready', node: 'n1', readyAt: T0, created: T0 - 5000 }),
    makePod({ name: 'new-ready', node: 'n2', readyAt: T0, created: T0 - 1000 }),
    makePod({ name: 'unsched', phase: 'Pending' }),
    makePod({ name: 'pending', node: 'n3', phase: 'Pending' }),
    makePod({ name: 'notready', node: 'n4' }),
  ];
  const f = fakeWorld(makeRS(1), pods);
  await syncReplicaSet(f.w, 'ns/web');
  assert.deepEqual(f.calls.deleted, ['unsched', 'pending', 'notready', 'new-ready']);
  assert.ok(!f.w.expectations.satisfied('ns/web'));
  for (const n of f.calls.deleted) f.w.expectations.deletionObserved('ns/web', `ns/${n}`);
  assert.ok(f.w.expectations.satisfied('ns/web'));
  // pods doubled up on one node go before lone ones
  const a = makePod({ name: 'a', node: 'n1', readyAt: T0 });
  const b = makePod({ name: 'b', node: 'n1', readyAt: T0 });
  const c = makePod({ name: 'c', node: 'n2', readyAt: T0 });
  assert.notEqual(podsToDelete([c, a, b], 1)[0]?.metadata.name, 'c');
});

test('adopts matching orphans, releases owned pods that stopped matching, ignores terminating pods', async () => {
  const orphan = makePod({ name: 'orphan', owned: false, node: 'n', readyAt: T0 });
  const other = makePod({ name: 'other', owned: false, labels: { app: 'db' } });
  const strayed = makePod({ name: 'strayed', labels: { app: 'changed' } });
  const dying = makePod({ name: 'dying', node: 'n', readyAt: T0 });
  dying.metadata.deletionTimestamp = iso(T0);
  const f = fakeWorld(makeRS(1), [orphan, other, strayed, dying]);
  await syncReplicaSet(f.w, 'ns/web');
  const byName = Object.fromEntries(f.calls.patched.map((p) => [p.name, p.patch]));
  const adopted = (byName['orphan'] as { metadata: { ownerReferences: { uid: string; controller: boolean }[] } }).metadata.ownerReferences;
  assert.equal(adopted[0]?.uid, 'rs-uid');
  assert.equal(adopted[0]?.controller, true);
  assert.deepEqual(byName['strayed'], { metadata: { ownerReferences: null, resourceVersion: '5' } });
  assert.equal(byName['other'], undefined);
  assert.equal(f.calls.created.length, 0, 'the adopted pod fills the one replica; the terminating one does not count');
  assert.equal(f.calls.statuses.at(-1)?.replicas, 1);
  // a ReplicaSet re-created under the same name (other uid) must not adopt
  const g = fakeWorld(makeRS(1), [makePod({ name: 'o2', owned: false })]);
  g.setLiveUid('someone-else');
  await syncReplicaSet(g.w, 'ns/web');
  assert.equal(g.calls.patched.length, 0);
});

test('status: ready, available after minReadySeconds (fake clock), fully labeled, observedGeneration', async () => {
  const pods = [
    makePod({ node: 'n', readyAt: T0 - 20_000 }),
    makePod({ node: 'n', readyAt: T0 - 4000 }),
    makePod({ node: 'n' }),
    makePod({ node: 'n', readyAt: T0 - 30_000, labels: { app: 'web' } }),
  ];
  const f = fakeWorld(makeRS(4, { minReadySeconds: 10 }), pods);
  await syncReplicaSet(f.w, 'ns/web');
  assert.deepEqual(f.calls.statuses.at(-1), {
    replicas: 4,
    fullyLabeledReplicas: 3,
    readyReplicas: 3,
    availableReplicas: 2,
    observedGeneration: 3,
  });
  assert.equal(f.calls.requeues.at(-1), 6000 + 50, 'looks again when the second pod becomes available');
  f.tick(6000);
  await syncReplicaSet(f.w, 'ns/web');
  assert.equal(f.calls.statuses.at(-1)?.availableReplicas, 3);
});

test('a deleted ReplicaSet forgets its expectations; a terminating one neither creates nor adopts', async () => {
  const f = fakeWorld(undefined, []);
  f.w.expectations.expect('ns/web', 3);
  await syncReplicaSet(f.w, 'ns/web');
  assert.ok(f.w.expectations.satisfied('ns/web'));
  const rs = makeRS(3);
  rs.metadata.deletionTimestamp = iso(T0);
  const g = fakeWorld(rs, [makePod({ owned: false, name: 'orph' })]);
  await syncReplicaSet(g.w, 'ns/web');
  assert.equal(g.calls.created.length, 0);
  assert.equal(g.calls.patched.length, 0);
  assert.equal(objectKey(rs), 'ns/web');
});
