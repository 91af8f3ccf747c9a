import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StorageClass } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { defaultStorageClass, storageClassKind, validateStorageClass } from './storage-class.js';

type Sc = UnvalidatedObject<StorageClass>;
const NOW = Date.parse('2024-05-01T12:00:00Z');
const sc = (over: Partial<Sc> = {}): Sc => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'fast', creationTimestamp: '2024-05-01T11:00:00Z' },
  provisioner: 'example.com/fast',
  ...over,
});

test('storage class defaults and row, (default) after the default class', () => {
  const c = sc();
  defaultStorageClass(c);
  assert.equal(c.reclaimPolicy, 'Delete');
  assert.equal(c.volumeBindingMode, 'Immediate');
  assert.deepEqual(validateStorageClass(c, undefined), []);
  assert.deepEqual(storageClassKind.table.row(c, NOW), ['fast', 'example.com/fast', 'Delete', 'Immediate', 'false', '60m']);
  c.metadata.annotations = { 'storageclass.kubernetes.io/is-default-class': 'true' };
  assert.equal(storageClassKind.table.row(c, NOW)[0], 'fast (default)');
});

test('storage class validation: provisioner, reclaim policy, binding mode', () => {
  const none = sc({ provisioner: '' });
  defaultStorageClass(none);
  assert.deepEqual(
    validateStorageClass(none, undefined).map((e) => e.field),
    ['provisioner'],
  );
  const recycle = sc({ reclaimPolicy: 'Recycle', volumeBindingMode: 'Later' });
  assert.deepEqual(
    validateStorageClass(recycle, undefined).map((e) => `${e.field}: ${e.detail}`),
    ['reclaimPolicy: supported values: "Delete", "Retain"', 'volumeBindingMode: supported values: "Immediate", "WaitForFirstConsumer"'],
  );
});

test('storage class updates: parameters, provisioner, reclaim policy and binding mode are fixed', () => {
  const old = sc({ parameters: { a: '1' } });
  defaultStorageClass(old);
  const next = structuredClone(old);
  next.parameters = { a: '2' };
  next.provisioner = 'example.com/slow';
  next.reclaimPolicy = 'Retain';
  next.volumeBindingMode = 'WaitForFirstConsumer';
  next.allowVolumeExpansion = true;
  assert.deepEqual(
    validateStorageClass(next, old).map((e) => `${e.field}: ${e.detail}`),
    [
      'parameters: updates to parameters are forbidden.',
      'provisioner: updates to provisioner are forbidden.',
      'reclaimPolicy: updates to reclaimPolicy are forbidden.',
      'volumeBindingMode: field is immutable',
    ],
  );
});
