import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from '../../api/gen/types.js';
import { syncDeployment } from './deployment-sync.js';
import { maxUnavailable, resolveFenceposts, templateHash, withoutHash } from './deployment-util.js';
import { createFakeCluster, makeDeployment, T0 } from './testing/fake-cluster.js';
import { proportionalSizes } from './deployment-decide.js';

type Cluster = ReturnType<typeof createFakeCluster>;
const sync = (c: Cluster) => syncDeployment(c.w, 'ns/web');
const cond = (d: Deployment, type: string) => d.status?.conditions?.find((x) => x.type === type);
const byImage = (c: Cluster, image: string): ReplicaSet | undefined =>
  [...c.rss.values()].find((r) => r.spec?.template?.spec?.containers?.[0]?.image === image);

/** Syncs and settles until the Deployment is rolled out (every pod available at once). */
async function rollOut(c: Cluster, check?: () => void): Promise<void> {
  for (let i = 0; i < 50; i++) {
    await sync(c);
    c.settle();
    check?.();
    const s = c.d.status ?? {};
    const n = c.d.spec?.replicas ?? 0;
    if (
      s.observedGeneration === c.d.metadata.generation &&
      s.updatedReplicas === n &&
      s.replicas === n &&
      s.availableReplicas === n &&
      cond(c.d, 'Progressing')?.reason === 'NewReplicaSetAvailable'
    )
      return;
  }
  throw new Error(`did not roll out: ${JSON.stringify(c.sizes())}`);
}
const setImage = (c: Cluster, image: string) =>
  c.edit((d) => {
    (d.spec?.template?.spec?.containers ?? [])[0] = { name: 'c', image };
  });

test('pod-template-hash: stable, changes with the template, ignores its own label and key order', () => {
  const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v1' }] } };
  const h = templateHash(t);
  assert.equal(templateHash(structuredClone(t)), h);
  assert.equal(templateHash({ spec: { containers: [{ image: 'v1', name: 'c' }] }, metadata: { labels: { app: 'web' } } }), h);
  assert.equal(templateHash({ ...t, metadata: { labels: { app: 'web', 'pod-template-hash': h } } }), h);
  assert.notEqual(templateHash({ ...t, spec: { containers: [{ name: 'c', image: 'v2' }] } }), h);
  assert.notEqual(templateHash(t, 1), h);
  assert.deepEqual(withoutHash({ metadata: { labels: { 'pod-template-hash': 'x' } } }), { metadata: {} });
});

test('surge rounds up, unavailable rounds down, both zero means one unavailable', () => {
  assert.deepEqual(resolveFenceposts('25%', '25%', 10), { surge: 3, unavailable: 2 });
  assert.deepEqual(resolveFenceposts('30%', '30%', 5), { surge: 2, unavailable: 1 });
  assert.deepEqual(resolveFenceposts(0, '10%', 5), { surge: 0, unavailable: 1 });
  assert.deepEqual(resolveFenceposts(2, 0, 5), { surge: 2, unavailable: 0 });
  assert.equal(
    maxUnavailable(makeDeployment(2, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 5 } } })),
    2,
  );
  assert.equal(maxUnavailable(makeDeployment(10, { strategy: { type: 'Recreate' } })), 0);
});

test('first rollout: one ReplicaSet named after the hash, annotations, event, conditions', async () => {
  const c = createFakeCluster(makeDeployment(10));
  await sync(c);
  const [rs] = [...c.rss.values()];
  const hash = templateHash(c.d.spec?.template);
  assert.equal(rs?.metadata.name, `web-${hash}`);
  assert.equal(rs?.spec?.replicas, 10);
  assert.deepEqual(rs?.spec?.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
  assert.equal(rs?.spec?.template?.metadata?.labels?.['pod-template-hash'], hash);
  assert.equal(rs?.metadata.labels?.['pod-template-hash'], hash);
  assert.deepEqual(rs?.metadata.ownerReferences, [
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true },
  ]);
  const a = rs?.metadata.annotations ?? {};
  assert.equal(a['deployment.kubernetes.io/revision'], '1');
  assert.equal(a['deployment.kubernetes.io/desired-replicas'], '10');
  assert.equal(a['deployment.kubernetes.io/max-replicas'], '13');
  assert.deepEqual(c.events, [`ScalingReplicaSet: Scaled up replica set web-${hash} to 10 from 0`]);
  assert.equal(cond(c.d, 'Progressing')?.reason, 'NewReplicaSetCreated');
  assert.equal(c.d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
  await sync(c);
  assert.equal(cond(c.d, 'Available')?.status, 'False');
  assert.equal(cond(c.d, 'Available')?.reason, 'MinimumReplicasUnavailable');
  await rollOut(c);
  assert.deepEqual(
    { ...c.d.status, conditions: undefined },
    {
      observedGeneration: 1,
      replicas: 10,
      updatedReplicas: 10,
      readyReplicas: 10,
      availableReplicas: 10,
      unavailableReplicas: 0,
      conditions: undefined,
    },
  );
  assert.equal(cond(c.d, 'Available')?.reason, 'MinimumReplicasAvailable');
  assert.equal(cond(c.d, 'Progressing')?.message, `ReplicaSet "web-${hash}" has successfully progressed.`);
});

test('rolling update steps respect maxSurge and maxUnavailable', async () => {
  const c = createFakeCluster(makeDeployment(10));
  await rollOut(c);
  setImage(c, 'v2');
  await sync(c);
  // one sync: the new set surges by 25% of 10 rounded up, the old drops by 25% of 10 rounded down
  assert.deepEqual(c.sizes(), { v1: 8, v2: 3 });
  const stuck = (rs: ReplicaSet) => (rs.spec?.template?.spec?.containers?.[0]?.image === 'v2' ? 0 : 99);
  c.settle(stuck);
  await sync(c);
  assert.deepEqual(c.sizes(), { v1: 8, v2: 5 }, 'room under the surge limit goes to the new set');
  c.settle(stuck);
  await sync(c);
  assert.deepEqual(c.sizes(), { v1: 8, v2: 5 }, 'nothing moves while the new pods are unavailable');
  assert.ok(c.events.includes(`ScalingReplicaSet: Scaled down replica set ${byImage(c, 'v1')?.metadata.name ?? ''} to 8 from 10`));
  await rollOut(c, () => {
    const total = [...c.rss.values()].reduce((s, r) => s + (r.spec?.replicas ?? 0), 0);
    assert.ok(total <= 13, `total ${total}`);
  });
  assert.deepEqual(c.sizes(), { v1: 0, v2: 10 });
  assert.equal(byImage(c, 'v2')?.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
  assert.equal(c.d.status?.observedGeneration, 2);
});

test('proportional scaling of a resize in the middle of a rollout', async () => {
  const c = createFakeCluster(makeDeployment(10));
  await rollOut(c);
  setImage(c, 'v2');
  await sync(c);
  assert.deepEqual(c.sizes(), { v1: 8, v2: 3 });
  c.settle((rs) => (rs.spec?.template?.spec?.containers?.[0]?.image === 'v2' ? 0 : 99));
  c.edit((d) => {
    if (d.spec) d.spec.replicas = 20;
  });
  await sync(c);
  // allowed 20 + 5 surge = 25; v1 8*25/13 -> 15 (+7), v2 3*25/13 -> 6 (+3), leftover 4 to the largest
  assert.deepEqual(c.sizes(), { v1: 19, v2: 6 });
  for (const rs of c.rss.values()) {
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '20');
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '25');
  }
  const sizes = proportionalSizes([...c.rss.values()], 5, 2, 25);
  assert.equal(
    [...sizes.values()].reduce((a, b) => a + b, 0),
    7,
  );
  await rollOut(c);
  assert.deepEqual(c.sizes(), { v1: 0, v2: 20 });
});

test('Recreate: old pods go first, the new ReplicaSet comes at full size once they are gone', async () => {
  const c = createFakeCluster(makeDeployment(4, { strategy: { type: 'Recreate' } }));
  await rollOut(c);
  setImage(c, 'v2');
  await sync(c);
  assert.deepEqual(c.sizes(), { v1: 0 });
  const old = byImage(c, 'v1') as ReplicaSet;
  c.pods.set(old.metadata.uid ?? '', [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lingering' }, status: { phase: 'Running' } }]);
  c.settle();
  await sync(c);
  assert.equal(byImage(c, 'v2'), undefined, 'waits while an old pod still runs');
  c.pods.set(old.metadata.uid ?? '', [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'done' }, status: { phase: 'Succeeded' } }]);
  await sync(c);
  assert.deepEqual(c.sizes(), { v1: 0, v2: 4 });
  await rollOut(c);
});

test('rollback reuses the old ReplicaSet with a new revision and a revision history', async () => {
  const c = createFakeCluster(makeDeployment(3));
  await rollOut(c);
  const first = byImage(c, 'v1')?.metadata.name;
  setImage(c, 'v2');
  await rollOut(c);
  // kubectl rollout undo copies the old template back into the Deployment
  setImage(c, 'v1');
  await rollOut(c);
  assert.equal(c.rss.size, 2);
  const reused = byImage(c, 'v1');
  assert.equal(reused?.metadata.name, first);
  assert.equal(reused?.spec?.replicas, 3);
  assert.equal(reused?.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
  assert.equal(reused?.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(c.d.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
  setImage(c, 'v2');
  await rollOut(c);
  assert.equal(byImage(c, 'v2')?.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '2');
});

test('paused: no rollout, but scaling applies; resume continues', async () => {
  const c = createFakeCluster(makeDeployment(4));
  await rollOut(c);
  c.edit((d) => {
    if (d.spec) d.spec.paused = true;
  });
  setImage(c, 'v2');
  await sync(c);
  assert.equal(c.rss.size, 1, 'no new ReplicaSet while paused');
  assert.equal(cond(c.d, 'Progressing')?.reason, 'DeploymentPaused');
  assert.equal(cond(c.d, 'Progressing')?.status, 'Unknown');
  c.edit((d) => {
    if (d.spec) d.spec.replicas = 6;
  });
  await sync(c);
  assert.deepEqual(c.sizes(), { v1: 6 });
  c.settle();
  c.edit((d) => {
    if (d.spec) d.spec.paused = false;
  });
  await sync(c);
  assert.equal(c.rss.size, 2);
  await rollOut(c);
  assert.deepEqual(c.sizes(), { v1: 0, v2: 6 });
});

test('revisionHistoryLimit removes the oldest scaled-down ReplicaSets', async () => {
  const c = createFakeCluster(makeDeployment(2, { revisionHistoryLimit: 1 }));
  await rollOut(c);
  const names: string[] = [byImage(c, 'v1')?.metadata.name ?? ''];
  for (const img of ['v2', 'v3', 'v4']) {
    setImage(c, img);
    await rollOut(c);
    names.push(byImage(c, img)?.metadata.name ?? '');
    await sync(c);
  }
  assert.equal(c.rss.size, 2);
  assert.ok(c.rss.has(names[2] ?? ''), 'keeps one old revision');
  assert.ok(c.rss.has(names[3] ?? ''));
  assert.deepEqual(c.deleted.sort(), [names[0], names[1]].sort());
});

test('a rollout that stops moving times out after progressDeadlineSeconds (fake clock)', async () => {
  const c = createFakeCluster(makeDeployment(10, { progressDeadlineSeconds: 60 }));
  await rollOut(c);
  setImage(c, 'v2');
  const stuck = (rs: ReplicaSet) => (rs.spec?.template?.spec?.containers?.[0]?.image === 'v2' ? 0 : 99);
  for (let i = 0; i < 4; i++) {
    await sync(c);
    c.settle(stuck);
  }
  await sync(c);
  assert.equal(cond(c.d, 'Progressing')?.reason, 'ReplicaSetUpdated');
  assert.ok(
    c.requeues.some((ms) => ms > 59_000 && ms <= 61_000),
    `deadline recheck scheduled: ${c.requeues.join(',')}`,
  );
  c.tick(30_000);
  await sync(c);
  assert.equal(cond(c.d, 'Progressing')?.reason, 'ReplicaSetUpdated');
  c.tick(31_000);
  await sync(c);
  const p = cond(c.d, 'Progressing');
  assert.equal(p?.status, 'False');
  assert.equal(p?.reason, 'ProgressDeadlineExceeded');
  assert.equal(p?.message, `ReplicaSet "${byImage(c, 'v2')?.metadata.name ?? ''}" has timed out progressing.`);
  assert.equal(p?.lastUpdateTime, new Date(T0 + 61_000).toISOString().replace(/\.\d+Z$/, 'Z'));
});

test('a name collision raises collisionCount and the next sync uses another hash', async () => {
  const d = makeDeployment(1);
  const c = createFakeCluster(d);
  const hash = templateHash(d.spec?.template);
  await c.w.api.createReplicaSet('ns', {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `web-${hash}`, namespace: 'ns', labels: { other: 'x' } },
    spec: { replicas: 0, selector: { matchLabels: { other: 'x' } }, template: { spec: { containers: [{ name: 'z', image: 'z' }] } } },
  });
  await assert.rejects(sync(c), /collision/);
  assert.equal(c.d.status?.collisionCount, 1);
  await sync(c);
  const mine = [...c.rss.values()].find((r) => r.metadata.ownerReferences?.[0]?.uid === 'd-uid');
  assert.equal(mine?.metadata.name, `web-${templateHash(d.spec?.template, 1)}`);
});
