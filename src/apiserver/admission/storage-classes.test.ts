import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StorageClass } from '../../api/gen/types.js';
import type { KindDef } from '../../api/kind.js';
import type { AnyObject } from '../../api/object.js';
import { persistentVolumeKind } from '../../api/kinds/core/persistent-volume.js';
import { persistentVolumeClaimKind } from '../../api/kinds/core/persistent-volume-claim.js';
import { isStatusError } from '../../base/errors.js';
import { adminUser } from '../auth/user.js';
import type { AdmissionOperation, AdmissionRequest } from './plugin.js';
import { createStorageClassAdmission, pickDefaultClass } from './storage-classes.js';

const sc = (name: string, created: string, isDefault: boolean, expand = false): StorageClass => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: {
    name,
    creationTimestamp: created,
    ...(isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}),
  },
  provisioner: 'example.com/x',
  allowVolumeExpansion: expand,
});
const classes = [
  sc('old-default', '2024-01-01T00:00:00Z', true),
  sc('new-default', '2024-03-01T00:00:00Z', true),
  sc('plain', '2024-05-01T00:00:00Z', false),
];
const plugin = createStorageClassAdmission({ list: async () => classes });

const req = (operation: AdmissionOperation, kind: KindDef, object?: object, old?: object): AdmissionRequest => ({
  operation,
  kind,
  subresource: undefined,
  namespace: 'default',
  name: 'data',
  object: object as AnyObject | undefined,
  oldObject: old as AnyObject | undefined,
  user: adminUser(),
  dryRun: false,
  warn: () => undefined,
});
const pvc = (spec: Record<string, unknown>, status?: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
  ...(status ? { status } : {}),
});

test('the newest default class is the default', () => {
  assert.equal(pickDefaultClass(classes)?.metadata.name, 'new-default');
  assert.equal(pickDefaultClass([classes[2]!]), undefined);
});

test('a claim without a class gets the default one and the protection finalizer; an explicit "" stays', async () => {
  const r = req('CREATE', persistentVolumeClaimKind, pvc({}));
  assert.equal(await plugin.mutate!(r), true);
  assert.equal((r.object?.['spec'] as { storageClassName: string }).storageClassName, 'new-default');
  assert.deepEqual(r.object?.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  const none = req('CREATE', persistentVolumeClaimKind, pvc({ storageClassName: '' }));
  await plugin.mutate!(none);
  assert.equal((none.object?.['spec'] as { storageClassName: string }).storageClassName, '');
  const pv = req('CREATE', persistentVolumeKind, { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv' }, spec: {} });
  assert.equal(await plugin.mutate!(pv), true);
  assert.deepEqual(pv.object?.metadata.finalizers, ['kubernetes.io/pv-protection']);
});

test('a claim grows only when its class allows expansion', async () => {
  const old = pvc({ storageClassName: 'plain', volumeName: 'pv' }, { phase: 'Bound' });
  const grown = pvc({ storageClassName: 'plain', volumeName: 'pv', resources: { requests: { storage: '2Gi' } } }, { phase: 'Bound' });
  await assert.rejects(
    Promise.resolve(plugin.validate!(req('UPDATE', persistentVolumeClaimKind, grown, old))),
    (e: unknown) =>
      isStatusError(e) &&
      e.code === 403 &&
      e.message ===
        'persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
  );
  const expandable = createStorageClassAdmission({ list: async () => [sc('plain', '2024-05-01T00:00:00Z', false, true)] });
  await expandable.validate!(req('UPDATE', persistentVolumeClaimKind, grown, old));
});
