import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../api/gen/types.js';
import { syncClaim } from './claim-sync.js';
import { createFakeWorld, type FakeWorld } from './testing/fake-world.js';
import { syncVolume } from './volume-sync.js';

const claim = (name: string, spec: Partial<NonNullable<PersistentVolumeClaim['spec']>> = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '1', finalizers: ['kubernetes.io/pvc-protection'] },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '1Gi' } },
    storageClassName: '',
    volumeMode: 'Filesystem',
    ...spec,
  },
  status: { phase: 'Pending' },
});
const volume = (
  name: string,
  size: string,
  extra: Partial<NonNullable<PersistentVolume['spec']>> = {},
  annotations?: Record<string, string>,
): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, resourceVersion: '1', finalizers: ['kubernetes.io/pv-protection'], ...(annotations ? { annotations } : {}) },
  spec: {
    capacity: { storage: size },
    accessModes: ['ReadWriteOnce', 'ReadOnlyMany'],
    hostPath: { path: `/srv/${name}` },
    persistentVolumeReclaimPolicy: 'Retain',
    volumeMode: 'Filesystem',
    ...extra,
  },
  status: { phase: 'Available' },
});
const wffc: StorageClass = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'local-path' },
  provisioner: 'tandem.dev/local-path',
  volumeBindingMode: 'WaitForFirstConsumer',
  reclaimPolicy: 'Delete',
};

function world(claims: PersistentVolumeClaim[], pvs: PersistentVolume[]): FakeWorld {
  const w = createFakeWorld();
  for (const c of claims) w.claims.set(`default/${c.metadata.name ?? ''}`, c);
  for (const v of pvs) w.pvs.set(v.metadata.name ?? '', v);
  w.classes.set('local-path', wffc);
  return w;
}

/** Syncs every claim and volume until nothing changes, as the controller's queue would. */
async function settle(w: FakeWorld): Promise<void> {
  for (let i = 0; i < 5; i++) {
    for (const c of [...w.claims.values()]) await syncClaim(w, 'default', c.metadata.name ?? '');
    for (const v of [...w.pvs.values()]) await syncVolume(w, v.metadata.name ?? '');
  }
}

test('a claim binds to the smallest volume that fits, on both sides, with upstream annotations', async () => {
  const w = world([claim('data')], [volume('big', '10Gi'), volume('small', '2Gi'), volume('tiny', '500Mi')]);
  await settle(w);
  const c = w.claims.get('default/data');
  assert.equal(c?.spec?.volumeName, 'small');
  assert.equal(c?.status?.phase, 'Bound');
  assert.deepEqual(c?.status?.capacity, { storage: '2Gi' });
  assert.deepEqual(c?.status?.accessModes, ['ReadWriteOnce', 'ReadOnlyMany']);
  assert.equal(c?.metadata.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
  assert.equal(c?.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
  const pv = w.pvs.get('small');
  assert.equal(pv?.status?.phase, 'Bound');
  assert.equal(pv?.spec?.claimRef?.uid, 'uid-data');
  assert.equal(w.pvs.get('big')?.status?.phase, 'Available');
});

test('access modes, class and selector must fit; a pre-bound volumeName binds that volume', async () => {
  const rwx = claim('shared', { accessModes: ['ReadWriteMany'] });
  const labelled = claim('picky', { selector: { matchLabels: { tier: 'gold' } } });
  const named = claim('named', { volumeName: 'chosen' });
  const gold = volume('gold', '5Gi');
  gold.metadata.labels = { tier: 'gold' };
  const w = world([rwx, labelled, named], [volume('plain', '5Gi', { storageClassName: 'other' }), gold, volume('chosen', '3Gi')]);
  await settle(w);
  assert.equal(w.claims.get('default/shared')?.status?.phase, 'Pending');
  assert.equal(w.claims.get('default/picky')?.spec?.volumeName, 'gold');
  assert.equal(w.claims.get('default/named')?.status?.phase, 'Bound');
  assert.equal(w.pvs.get('chosen')?.spec?.claimRef?.name, 'named');
  assert.equal(w.claims.get('default/named')?.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined);
  assert.ok(w.events.includes('shared FailedBinding'));
});

test('a WaitForFirstConsumer claim waits for a node, then asks its provisioner', async () => {
  const w = world([claim('data', { storageClassName: 'local-path' })], []);
  await settle(w);
  const c = w.claims.get('default/data');
  assert.equal(c?.status?.phase, 'Pending');
  assert.equal(c?.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], undefined);
  assert.ok(w.events.includes('data WaitForFirstConsumer'));
  c!.metadata.annotations = { 'volume.kubernetes.io/selected-node': 'n1' };
  await settle(w);
  assert.equal(c?.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], 'tandem.dev/local-path');
  assert.ok(w.events.includes('data ExternalProvisioning'));
});

test('released volumes: Retain stays Released, Delete of a hand-made volume fails, a provisioned one waits for its provisioner', async () => {
  const w = world(
    [claim('a'), claim('b'), claim('c')],
    [
      volume('keep', '1Gi', { claimRef: { namespace: 'default', name: 'a', uid: 'uid-a' } }),
      volume('manual', '1Gi', { claimRef: { namespace: 'default', name: 'b', uid: 'uid-b' }, persistentVolumeReclaimPolicy: 'Delete' }),
      volume(
        'made',
        '1Gi',
        { claimRef: { namespace: 'default', name: 'c', uid: 'uid-c' }, persistentVolumeReclaimPolicy: 'Delete' },
        {
          'pv.kubernetes.io/provisioned-by': 'tandem.dev/local-path',
        },
      ),
    ],
  );
  await settle(w);
  for (const n of ['keep', 'manual', 'made']) assert.equal(w.pvs.get(n)?.status?.phase, 'Bound', n);
  w.claims.clear();
  await settle(w);
  assert.equal(w.pvs.get('keep')?.status?.phase, 'Released');
  assert.equal(w.pvs.get('manual')?.status?.phase, 'Failed');
  assert.match(w.pvs.get('manual')?.status?.message ?? '', /no deletable volume plugin matched/);
  assert.equal(w.pvs.get('made')?.status?.phase, 'Released');
});

test('a lost volume makes its bound claim Lost', async () => {
  const w = world([claim('data')], [volume('pv', '1Gi')]);
  await settle(w);
  w.pvs.delete('pv');
  await settle(w);
  assert.equal(w.claims.get('default/data')?.status?.phase, 'Lost');
  assert.ok(w.events.includes('data ClaimLost'));
});

test('protection: a deleted claim keeps its finalizer while a pod uses it; a deleted volume keeps its while Bound', async () => {
  const w = world([claim('data')], [volume('pv', '1Gi')]);
  await settle(w);
  w.pods.push({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'user', namespace: 'default' },
    spec: { containers: [], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] },
    status: { phase: 'Running' },
  });
  const c = w.claims.get('default/data')!;
  c.metadata.deletionTimestamp = '2024-05-01T12:00:00Z';
  const pv = w.pvs.get('pv')!;
  pv.metadata.deletionTimestamp = '2024-05-01T12:00:00Z';
  await settle(w);
  assert.deepEqual(c.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  assert.deepEqual(pv.metadata.finalizers, ['kubernetes.io/pv-protection']);
  w.pods[0]!.status = { phase: 'Succeeded' };
  await settle(w);
  assert.deepEqual(c.metadata.finalizers, []);
  // the claim is gone once its finalizer is: the volume is released, then unprotected
  w.claims.clear();
  await settle(w);
  assert.equal(pv.status?.phase, 'Released');
  assert.deepEqual(pv.metadata.finalizers, []);
});

test('a volume pre-bound by its author (claimRef without uid) waits Available for that claim, then binds it', async () => {
  const reserved = volume('reserved', '1Gi', { claimRef: { namespace: 'default', name: 'mine' } });
  const w = world([claim('other')], [reserved]);
  await settle(w);
  assert.equal(w.pvs.get('reserved')?.status?.phase, 'Available');
  assert.equal(w.claims.get('default/other')?.status?.phase, 'Pending', 'a volume reserved for another claim is not taken');
  w.claims.set('default/mine', claim('mine'));
  await settle(w);
  assert.equal(w.claims.get('default/mine')?.spec?.volumeName, 'reserved');
  assert.equal(w.pvs.get('reserved')?.spec?.claimRef?.uid, 'uid-mine');
  assert.equal(w.pvs.get('reserved')?.status?.phase, 'Bound');
});
