import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, PersistentVolumeClaim } from '../../api/gen/types.js';
import { localPathClass, volumePath } from '../../api/storage/local-path.js';
import { localPathVolume, volumeNode } from './local-path-volume.js';

const pvc: PersistentVolumeClaim = {
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'apps', uid: 'abc', resourceVersion: '7' },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '3Gi' } },
    volumeMode: 'Filesystem',
    storageClassName: 'local-path',
  },
};
const node = (name: string, root: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name }, annotations: { 'tandem.dev/local-path-root': root } },
});

test('a provisioned volume: hostPath under the node root, pinned to the node, pre-bound, with the cleanup finalizer', () => {
  const pv = localPathVolume(pvc, localPathClass(), node('n1', '/var/lib/tandem/agent/volumes'), '/var/lib/tandem/agent/volumes');
  assert.equal(pv.metadata.name, 'pvc-abc');
  assert.deepEqual(pv.metadata.finalizers, ['tandem.dev/local-path-cleanup']);
  assert.equal(pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'tandem.dev/local-path');
  assert.equal(volumeNode(pv), 'n1');
  assert.deepEqual(pv.spec?.hostPath, { path: '/var/lib/tandem/agent/volumes/pvc-abc', type: 'DirectoryOrCreate' });
  assert.deepEqual(pv.spec?.capacity, { storage: '3Gi' });
  assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
  assert.equal(pv.spec?.storageClassName, 'local-path');
  assert.deepEqual(pv.spec?.claimRef, {
    kind: 'PersistentVolumeClaim',
    apiVersion: 'v1',
    namespace: 'apps',
    name: 'data',
    uid: 'abc',
    resourceVersion: '7',
  });
  assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms, [
    { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] },
  ]);
});

test('volume paths follow the root’s own style (Windows roots get backslashes)', () => {
  assert.equal(volumePath('C:\\ProgramData\\tandem\\volumes', 'pvc-1'), 'C:\\ProgramData\\tandem\\volumes\\pvc-1');
  assert.equal(volumePath('/data/volumes/', 'pvc-1'), '/data/volumes/pvc-1');
  assert.equal(volumePath('/data/volumes', 'pvc-1'), '/data/volumes/pvc-1');
});
