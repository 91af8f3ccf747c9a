import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyObject } from '../../api/object.js';
import { volumeWriteRefusal } from './node-restriction-volumes.js';

const pv = (node: string, finalizers: string[]): AnyObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: {
    name: 'pvc-1',
    resourceVersion: '5',
    annotations: { 'volume.kubernetes.io/selected-node': node, 'pv.kubernetes.io/provisioned-by': 'tandem.dev/local-path' },
    finalizers,
  },
  spec: { hostPath: { path: '/data/volumes/pvc-1' } },
});

test('a node may only drop the local-path cleanup finalizer of its own volumes', () => {
  const old = pv('n1', ['kubernetes.io/pv-protection', 'tandem.dev/local-path-cleanup']);
  assert.equal(volumeWriteRefusal('n1', 'UPDATE', pv('n1', ['kubernetes.io/pv-protection']), old), undefined);
  assert.match(volumeWriteRefusal('n2', 'UPDATE', pv('n1', ['kubernetes.io/pv-protection']), old) ?? '', /of its own/);
  assert.match(volumeWriteRefusal('n1', 'UPDATE', pv('n1', []), old) ?? '', /may only remove the tandem.dev\/local-path-cleanup finalizer/);
  const moved = pv('n1', ['kubernetes.io/pv-protection']);
  (moved['spec'] as { hostPath: { path: string } }).hostPath.path = '/etc';
  assert.match(volumeWriteRefusal('n1', 'UPDATE', moved, old) ?? '', /may only remove/);
  assert.match(volumeWriteRefusal('n1', 'CREATE', old, undefined) ?? '', /may only update/);
  assert.match(volumeWriteRefusal('n1', 'DELETE', undefined, old) ?? '', /may only update/);
});
