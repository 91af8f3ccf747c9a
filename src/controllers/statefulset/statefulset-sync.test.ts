import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/gen/types.js';
import { StatusError } from '../../base/errors.js';
import { syncStatefulSet } from './statefulset-sync.js';
import { fakeWorld, makeSet } from './testing/fake-world.js';

const sync = (f: ReturnType<typeof fakeWorld>) => syncStatefulSet(f.w, 'ns/web');
const claimTemplate = (name: string) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, labels: { tier: 'data' } },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
});
const podCalls = (calls: string[]) => calls.filter((c) => c.includes(' pod '));

test('OrderedReady: one pod at a time, each after the previous is Running and Ready; stable identity', async () => {
  const f = fakeWorld(makeSet());
  await sync(f);
  assert.deepEqual(podCalls(f.calls), ['create pod web-0']);
  await sync(f);
  assert.deepEqual(podCalls(f.calls), ['create pod web-0'], 'web-0 is Pending: nothing more');
  f.ready('web-0');
  await sync(f);
  await sync(f);
  assert.deepEqual(podCalls(f.calls), ['create pod web-0', 'create pod web-1']);
  f.ready('web-1');
  await sync(f);
  f.ready('web-2');
  await sync(f);
  assert.deepEqual(podCalls(f.calls), ['create pod web-0', 'create pod web-1', 'create pod web-2']);
  const p = f.pods.get('web-1') as Pod;
  assert.equal(p.spec?.hostname, 'web-1');
  assert.equal(p.spec?.subdomain, 'nginx');
  const rev = f.set.status?.updateRevision ?? '';
  assert.match(rev, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.deepEqual(p.metadata.labels, {
    app: 'nginx',
    'statefulset.kubernetes.io/pod-name': 'web-1',
    'apps.kubernetes.io/pod-index': '1',
    'controller-revision-hash': rev,
  });
  assert.deepEqual(p.metadata.ownerReferences, [
    { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true },
  ]);
  assert.deepEqual(f.events.slice(0, 1), ['Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful']);
  assert.deepEqual(f.set.status, {
    observedGeneration: 1,
    replicas: 3,
    readyReplicas: 3,
    availableReplicas: 3,
    currentReplicas: 3,
    updatedReplicas: 3,
    currentRevision: rev,
    updateRevision: rev,
    collisionCount: 0,
  });
});

test('Parallel creates every pod at once; ordinals.start is honoured', async () => {
  const f = fakeWorld(makeSet({ podManagementPolicy: 'Parallel', ordinals: { start: 5 } }));
  await sync(f);
  assert.deepEqual(podCalls(f.calls), ['create pod web-5', 'create pod web-6', 'create pod web-7']);
});

test('claims: one per template per pod, created before the pod, labelled, kept on scale down', async () => {
  const f = fakeWorld(makeSet({ replicas: 2, volumeClaimTemplates: [claimTemplate('www'), claimTemplate('logs')] }));
  await sync(f);
  f.ready('web-0');
  await sync(f);
  assert.deepEqual(
    f.calls.filter((c) => !c.includes('revision')),
    [
      'create claim www-web-0',
      'create claim logs-web-0',
      'create pod web-0',
      'create claim www-web-1',
      'create claim logs-web-1',
      'create pod web-1',
    ],
  );
  const claim = f.claims.get('www-web-1');
  assert.deepEqual(claim?.metadata.labels, { tier: 'data', app: 'nginx' });
  assert.equal(claim?.metadata.ownerReferences, undefined, 'Retain: no owner, the claim outlives the set');
  assert.deepEqual(claim?.spec?.accessModes, ['ReadWriteOnce']);
  assert.deepEqual(f.pods.get('web-1')?.spec?.volumes, [
    { name: 'www', persistentVolumeClaim: { claimName: 'www-web-1' } },
    { name: 'logs', persistentVolumeClaim: { claimName: 'logs-web-1' } },
  ]);
  assert.ok(f.events.includes('Normal SuccessfulCreate create Claim www-web-0 Pod web-0 in StatefulSet web success'));
  // scale down and back up: the claims stay and are reused
  f.ready('web-1');
  f.set.spec.replicas = 1;
  await sync(f);
  f.reap();
  f.set.spec.replicas = 2;
  await sync(f);
  assert.equal(f.calls.filter((c) => c.startsWith('create claim')).length, 4, 'no claim created twice');
  assert.equal(f.calls.at(-1), 'create pod web-1');
});

test('a deleted pod comes back with the same name, after the old one is gone', async () => {
  const f = fakeWorld(makeSet({ volumeClaimTemplates: [claimTemplate('www')] }));
  for (let i = 0; i < 3; i++) {
    await sync(f);
    f.readyAll();
  }
  await f.w.api.deletePod('ns', 'web-1', '');
  await sync(f);
  assert.equal(f.calls.at(-1), 'delete pod web-1', 'waits while web-1 terminates');
  f.reap();
  await sync(f);
  assert.equal(f.calls.at(-1), 'create pod web-1');
  assert.equal(f.pods.get('web-1')?.spec?.volumes?.[0]?.persistentVolumeClaim?.claimName, 'www-web-1');
  assert.equal(f.calls.filter((c) => c === 'create claim www-web-1').length, 1);
});

test('scale down: highest ordinal first, each after the one before is gone (OrderedReady)', async () => {
  const f = fakeWorld(makeSet());
  for (let i = 0; i < 3; i++) {
    await sync(f);
    f.readyAll();
  }
  f.set.spec.replicas = 1;
  await sync(f);
  await sync(f);
  assert.deepEqual(podCalls(f.calls).slice(3), ['delete pod web-2']);
  f.reap();
  await sync(f);
  assert.deepEqual(podCalls(f.calls).slice(3), ['delete pod web-2', 'delete pod web-1']);
  assert.ok(f.events.includes('Normal SuccessfulDelete delete Pod web-2 in StatefulSet web successful'));
  const g = fakeWorld(makeSet({ podManagementPolicy: 'Parallel' }));
  await sync(g);
  g.readyAll();
  g.set.spec.replicas = 0;
  await sync(g);
  assert.deepEqual(podCalls(g.calls).slice(3).sort(), ['delete pod web-0', 'delete pod web-1', 'delete pod web-2']);
});

test('retention policy Delete: claims owned by the set, and by the pod before a scale-down deletes it', async () => {
  const f = fakeWorld(
    makeSet({
      replicas: 2,
      podManagementPolicy: 'Parallel',
      volumeClaimTemplates: [claimTemplate('www')],
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
    }),
  );
  await sync(f);
  f.readyAll();
  assert.deepEqual(f.claims.get('www-web-0')?.metadata.ownerReferences, [
    { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: false, blockOwnerDeletion: true },
  ]);
  f.set.spec.replicas = 1;
  await sync(f);
  const refs = f.claims.get('www-web-1')?.metadata.ownerReferences ?? [];
  assert.deepEqual(
    refs.map((r) => `${r.kind}/${r.name}`),
    ['StatefulSet/web', 'Pod/web-1'],
  );
  assert.deepEqual(f.calls.slice(-2), ['patch claim www-web-1', 'delete pod web-1']);
});

test('rolling update with partition 1: from the highest ordinal down, each after the previous is Ready; web-0 stays', async () => {
  const f = fakeWorld(makeSet());
  for (let i = 0; i < 3; i++) {
    await sync(f);
    f.readyAll();
  }
  await sync(f);
  const rev1 = f.set.status?.currentRevision;
  f.set.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 1 } };
  f.setImage('nginx:2');
  const base = podCalls(f.calls).length;
  await sync(f);
  const rev2 = f.set.status?.updateRevision;
  assert.notEqual(rev1, rev2);
  assert.equal(f.revisions.get(rev2 ?? '')?.revision, 2);
  assert.deepEqual(podCalls(f.calls).slice(base), ['delete pod web-2']);
  f.reap();
  await sync(f);
  assert.equal(f.pods.get('web-2')?.spec?.containers[0]?.image, 'nginx:2');
  assert.equal(f.pods.get('web-2')?.metadata.labels?.['controller-revision-hash'], rev2);
  await sync(f);
  assert.deepEqual(podCalls(f.calls).slice(base), ['delete pod web-2', 'create pod web-2'], 'waits for web-2 to be Ready');
  f.ready('web-2');
  await sync(f);
  f.reap();
  await sync(f);
  f.ready('web-1');
  await sync(f);
  await sync(f);
  assert.deepEqual(podCalls(f.calls).slice(base), ['delete pod web-2', 'create pod web-2', 'delete pod web-1', 'create pod web-1']);
  assert.equal(f.pods.get('web-0')?.spec?.containers[0]?.image, 'nginx:1');
  assert.equal(f.set.status?.updatedReplicas, 2);
  assert.equal(f.set.status?.currentReplicas, 1);
  assert.equal(f.set.status?.currentRevision, rev1, 'a partitioned rollout leaves the current revision');
  // a pod below the partition that is re-created comes from the current revision
  await f.w.api.deletePod('ns', 'web-0', '');
  f.reap();
  await sync(f);
  assert.equal(f.pods.get('web-0')?.spec?.containers[0]?.image, 'nginx:1');
  f.ready('web-0');
  // partition 0 finishes the rollout; then the update revision becomes the current one
  f.set.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
  await sync(f);
  f.reap();
  await sync(f);
  f.ready('web-0');
  await sync(f);
  assert.equal(f.pods.get('web-0')?.spec?.containers[0]?.image, 'nginx:2');
  assert.equal(f.set.status?.currentRevision, rev2);
  assert.equal(f.set.status?.currentReplicas, 3);
});

test('OnDelete: a template change replaces nothing until a pod is deleted', async () => {
  const f = fakeWorld(makeSet({ updateStrategy: { type: 'OnDelete' } }));
  for (let i = 0; i < 3; i++) {
    await sync(f);
    f.readyAll();
  }
  f.setImage('nginx:2');
  const base = podCalls(f.calls).length;
  await sync(f);
  assert.deepEqual(podCalls(f.calls).slice(base), []);
  await f.w.api.deletePod('ns', 'web-1', '');
  f.reap();
  await sync(f);
  assert.equal(f.pods.get('web-1')?.spec?.containers[0]?.image, 'nginx:2');
  assert.equal(f.pods.get('web-2')?.spec?.containers[0]?.image, 'nginx:1');
});

test('a failed pod is deleted and re-created under its name', async () => {
  const f = fakeWorld(makeSet({ replicas: 1 }));
  await sync(f);
  (f.pods.get('web-0') as Pod).status = { phase: 'Failed' };
  await sync(f);
  assert.equal(f.calls.at(-1), 'delete pod web-0');
  f.reap();
  await sync(f);
  assert.equal(f.calls.at(-1), 'create pod web-0');
});

test('rollback: an older equal revision is renumbered instead of a new one being made; history is pruned', async () => {
  const f = fakeWorld(makeSet({ replicas: 1, revisionHistoryLimit: 1 }));
  await sync(f);
  f.readyAll();
  const rev1 = f.set.status?.updateRevision ?? '';
  f.setImage('nginx:2');
  await sync(f);
  f.reap();
  await sync(f);
  f.readyAll();
  await sync(f);
  const rev2 = f.set.status?.updateRevision ?? '';
  f.setImage('nginx:1');
  await sync(f);
  assert.ok(f.calls.includes(`renumber revision ${rev1} #3`), f.calls.join('\n'));
  assert.equal(f.set.status?.updateRevision, rev1);
  assert.equal(f.calls.filter((c) => c.startsWith('create revision')).length, 2);
  f.reap();
  await sync(f);
  f.readyAll();
  await sync(f);
  f.setImage('nginx:3');
  await sync(f);
  f.reap();
  await sync(f);
  f.readyAll();
  await sync(f);
  f.setImage('nginx:4');
  await sync(f);
  f.reap();
  await sync(f);
  f.readyAll();
  await sync(f);
  // limit 1: of the revisions no pod runs, only the newest one stays
  assert.ok(f.calls.includes(`delete revision ${rev2}`), f.calls.join('\n'));
  assert.equal(f.revisions.size, 2);
});

test('a revision name taken by other data steps the collision count', async () => {
  const f = fakeWorld(makeSet({ replicas: 1 }));
  await sync(f);
  const name = f.set.status?.updateRevision ?? '';
  const rev = f.revisions.get(name);
  // someone else's revision under the name ours would take
  f.revisions.clear();
  f.revisions.set(name, { ...rev!, data: { other: true }, metadata: { ...rev!.metadata, ownerReferences: [] } });
  const g = fakeWorld(makeSet({ replicas: 1 }));
  g.revisions.set(name, f.revisions.get(name)!);
  g.w.revisionsOf = () => [];
  await syncStatefulSet(g.w, 'ns/web');
  assert.equal(g.set.status?.collisionCount, 1);
  assert.notEqual(g.set.status?.updateRevision, name);
  assert.match(g.set.status?.updateRevision ?? '', /^web-/);
});

test('adoption: a set re-created after an orphaning delete takes back its pods and revision; strays are released', async () => {
  const f = fakeWorld(makeSet({ replicas: 2 }));
  await sync(f);
  f.readyAll();
  await sync(f);
  f.readyAll();
  await sync(f);
  const rev = f.set.status?.updateRevision ?? '';
  // `kubectl delete sts web --cascade=orphan`: the garbage collector strips the owner references
  for (const [n, p] of f.pods) f.pods.set(n, { ...p, metadata: { ...p.metadata, ownerReferences: undefined } });
  for (const [n, r] of f.revisions) f.revisions.set(n, { ...r, metadata: { ...r.metadata, ownerReferences: undefined } });
  // a pod that matches the selector but is not named as a member stays an orphan
  f.pods.set('other', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'other', namespace: 'ns', labels: { app: 'nginx' } },
    status: { phase: 'Running' },
  });
  f.set.metadata.uid = 'set-uid-2';
  Reflect.deleteProperty(f.set, 'status');
  const base = f.calls.length;
  await sync(f);
  assert.deepEqual(f.calls.slice(base).sort(), ['adopt pod web-0', 'adopt pod web-1', `adopt revision ${rev}`]);
  assert.equal(f.pods.get('web-0')?.metadata.ownerReferences?.[0]?.uid, 'set-uid-2');
  assert.equal(f.pods.get('other')?.metadata.ownerReferences, undefined);
  assert.equal(f.set.status?.readyReplicas, 2);
  assert.equal(f.set.status?.updateRevision, rev, 'the same template: the adopted revision is the update revision');
  // a member that lost its identity labels gets them back
  const p1 = f.pods.get('web-1') as Pod;
  f.pods.set('web-1', { ...p1, metadata: { ...p1.metadata, labels: { app: 'nginx', 'controller-revision-hash': rev } } });
  await sync(f);
  assert.ok(f.calls.includes('label pod web-1'));
  assert.equal(f.pods.get('web-1')?.metadata.labels?.['apps.kubernetes.io/pod-index'], '1');
  assert.ok(f.events.includes('Normal SuccessfulUpdate update Pod web-1 in StatefulSet web successful'));
  // an owned pod whose labels stop matching is released, and a replacement is made
  const p0 = f.pods.get('web-0') as Pod;
  f.pods.set('web-0', { ...p0, metadata: { ...p0.metadata, labels: { app: 'debug' } } });
  await sync(f);
  assert.ok(f.calls.includes('release pod web-0'));
});

test('minReadySeconds: OrderedReady waits for availability (fake clock), and looks again when it is due', async () => {
  const f = fakeWorld(makeSet({ replicas: 2, minReadySeconds: 10 }));
  await sync(f);
  f.ready('web-0');
  f.tick(4000);
  await sync(f);
  assert.deepEqual(podCalls(f.calls), ['create pod web-0'], 'Ready for 4 s of 10: not available yet');
  assert.equal(f.requeues.at(-1), 6000 + 50);
  assert.equal(f.set.status?.readyReplicas, 1);
  assert.equal(f.set.status?.availableReplicas, 0);
  f.tick(6000);
  await sync(f);
  assert.deepEqual(podCalls(f.calls), ['create pod web-0', 'create pod web-1']);
  assert.equal(f.set.status?.availableReplicas, 1);
});

test('Parallel: a failing API stops the slow-start burst early and fails the round', async () => {
  const f = fakeWorld(makeSet({ replicas: 20, podManagementPolicy: 'Parallel' }));
  const create = f.w.api.createPod;
  f.w.api.createPod = async (ns, pod) => {
    if (pod.metadata.name !== 'web-0') throw new StatusError(403, 'Forbidden', 'exceeded quota');
    return create(ns, pod);
  };
  await assert.rejects(sync(f), /exceeded quota/);
  // batches of 1 then 2: web-0 succeeds, web-1 and web-2 fail, the other 17 are not tried
  assert.deepEqual(podCalls(f.calls), ['create pod web-0']);
  assert.equal(f.events.filter((e) => e.startsWith('Warning FailedCreate')).length, 2);
  assert.match(
    f.events.find((e) => e.startsWith('Warning')) ?? '',
    /^Warning FailedCreate create Pod web-1 in StatefulSet web failed error: exceeded quota$/,
  );
  assert.equal(f.set.status?.replicas, 0, 'the status is written even when the round fails');
});
