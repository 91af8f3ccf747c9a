import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PersistentVolume, PersistentVolumeClaim } from '../../api/gen/types.js';
import { createClaimSource } from './claims.js';
import { VolumeError } from './host-path.js';
import { owesCleanup, removablePath } from './local-path-cleaner.js';

const claim = (phase: string, volumeName?: string): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'default', uid: 'u1' },
  spec: { ...(volumeName ? { volumeName } : {}) },
  status: { phase },
});
const volume = (path: string, extra: Partial<PersistentVolume['metadata']> = {}): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'pvc-u1', ...extra },
  spec: {
    claimRef: { uid: 'u1', name: 'data', namespace: 'default' },
    hostPath: { path, type: 'DirectoryOrCreate' },
    persistentVolumeReclaimPolicy: 'Delete',
  },
});

test('a claim resolves to its bound volume directory, created when missing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-claims-'));
  try {
    const path = join(dir, 'volumes', 'pvc-u1');
    const src = createClaimSource({ claim: async () => claim('Bound', 'pvc-u1'), volume: async () => volume(path) });
    assert.equal(await src.resolve('default', 'data'), path);
    assert.ok(statSync(path).isDirectory());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing or unbound claim is a VolumeError naming it (the pod waits in ContainerCreating)', async () => {
  const missing = createClaimSource({ claim: async () => undefined, volume: async () => undefined });
  await assert.rejects(
    missing.resolve('default', 'data'),
    (e: unknown) => e instanceof VolumeError && e.message === 'persistentvolumeclaim "data" not found',
  );
  const pending = createClaimSource({ claim: async () => claim('Pending'), volume: async () => undefined });
  await assert.rejects(
    pending.resolve('default', 'data'),
    (e: unknown) =>
      e instanceof VolumeError && e.message === 'PVC default/data has non-bound phase ("Pending") or empty pvc.Spec.VolumeName ("")',
  );
  const other = createClaimSource({
    claim: async () => claim('Bound', 'pvc-u1'),
    volume: async () => ({ ...volume('/x'), spec: { claimRef: { uid: 'u2' } } }),
  });
  await assert.rejects(other.resolve('default', 'data'), /is not bound to claim default\/data/);
  // an ephemeral volume's claim must be its pod's
  const stranger = createClaimSource({ claim: async () => claim('Bound', 'pvc-u1'), volume: async () => volume('/x') });
  await assert.rejects(
    stranger.resolve('default', 'data', { metadata: { name: 'web', uid: 'pod-1' } }),
    /PVC default\/data was not created for pod default\/web \(pod is not owner\)/,
  );
});

test('cleanup: only this node’s deleted local-path volumes, only directories under the root', () => {
  const meta = {
    annotations: { 'pv.kubernetes.io/provisioned-by': 'tandem.dev/local-path', 'volume.kubernetes.io/selected-node': 'n1' },
    finalizers: ['tandem.dev/local-path-cleanup'],
    deletionTimestamp: '2024-05-01T12:00:00Z',
  };
  const pv = volume('/data/volumes/pvc-u1', meta);
  assert.equal(owesCleanup(pv, 'n1'), true);
  assert.equal(owesCleanup(pv, 'n2'), false);
  assert.equal(owesCleanup(volume('/data/volumes/pvc-u1', { ...meta, finalizers: [] }), 'n1'), false);
  assert.equal(removablePath(pv, '/data/volumes'), '/data/volumes/pvc-u1');
  assert.equal(removablePath(volume('/data/volumes'), '/data/volumes'), undefined);
  assert.equal(removablePath(volume('/data/volumes/../etc'), '/data/volumes'), undefined);
  assert.equal(removablePath(volume('/srv/elsewhere'), '/data/volumes'), undefined);
});
