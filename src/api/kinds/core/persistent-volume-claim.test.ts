import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim, PersistentVolume } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import {
  defaultPersistentVolumeClaim,
  persistentVolumeClaimKind,
  validateClaimSpec,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimStatus,
} from './persistent-volume-claim.js';
import {
  defaultPersistentVolume,
  persistentVolumeKind,
  validatePersistentVolume,
  validatePersistentVolumeStatus,
} from './persistent-volume.js';

type Pvc = UnvalidatedObject<PersistentVolumeClaim>;
type Pv = UnvalidatedObject<PersistentVolume>;

const NOW = Date.parse('2024-05-01T12:00:00Z');
const claim = (spec: Pvc['spec']): Pvc => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'default', creationTimestamp: '2024-05-01T11:58:00Z' },
  spec,
});
const ok = () => claim({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
const fields = (errs: { field: string; type: string; detail: string }[]) => errs.map((e) => `${e.type} ${e.field}: ${e.detail}`);

test('claim defaults: volumeMode Filesystem, phase Pending', () => {
  const c = ok();
  defaultPersistentVolumeClaim(c);
  assert.equal(c.spec?.volumeMode, 'Filesystem');
  assert.equal(c.status?.phase, 'Pending');
  assert.deepEqual(validatePersistentVolumeClaim(c, undefined), []);
});

test('claim sizes: the storage request is required, a quantity, and greater than zero', () => {
  assert.deepEqual(fields(validatePersistentVolumeClaim(claim({ accessModes: ['ReadWriteOnce'] }), undefined)), [
    'FieldValueRequired spec.resources[storage]: ',
  ]);
  const zero = validatePersistentVolumeClaim(
    claim({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '0' } } }),
    undefined,
  );
  assert.deepEqual(fields(zero), ['FieldValueInvalid spec.resources[storage]: must be greater than zero']);
  const neg = validatePersistentVolumeClaim(
    claim({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '-1Gi' } } }),
    undefined,
  );
  assert.deepEqual(fields(neg), ['FieldValueInvalid spec.resources[storage]: must be greater than zero']);
  const junk = validatePersistentVolumeClaim(
    claim({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: 'lots' } } }),
    undefined,
  );
  assert.equal(junk[0]?.field, 'spec.resources[storage]');
  assert.match(junk[0]?.detail ?? '', /quantities must match the regular expression/);
});

test('claim access modes: at least one, each known, ReadWriteOncePod alone', () => {
  const none = validatePersistentVolumeClaim(claim({ resources: { requests: { storage: '1Gi' } } }), undefined);
  assert.deepEqual(fields(none), ['FieldValueRequired spec.accessModes: at least 1 access mode is required']);
  const bad = validatePersistentVolumeClaim(
    claim({ accessModes: ['ReadWriteSometimes'], resources: { requests: { storage: '1Gi' } } }),
    undefined,
  );
  assert.deepEqual(fields(bad), [
    'FieldValueNotSupported spec.accessModes: supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
  ]);
  const mixed = validatePersistentVolumeClaim(
    claim({ accessModes: ['ReadWriteOncePod', 'ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }),
    undefined,
  );
  assert.deepEqual(fields(mixed), ['FieldValueForbidden spec.accessModes: may not use ReadWriteOncePod with other access modes']);
  const mode = validatePersistentVolumeClaim(
    claim({ accessModes: ['ReadWriteOnce'], volumeMode: 'Tape', resources: { requests: { storage: '1Gi' } } }),
    undefined,
  );
  assert.deepEqual(fields(mode), ['FieldValueNotSupported spec.volumeMode: supported values: "Block", "Filesystem"']);
});

test('claim updates: spec immutable except a first volumeName and growing a bound claim', () => {
  const old = ok();
  defaultPersistentVolumeClaim(old);
  const bind = structuredClone(old);
  bind.spec!.volumeName = 'pv-1';
  assert.deepEqual(validatePersistentVolumeClaim(bind, old), []);
  const modes = structuredClone(old);
  modes.spec!.accessModes = ['ReadWriteMany'];
  assert.deepEqual(fields(validatePersistentVolumeClaim(modes, old)), [
    'FieldValueForbidden spec: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
  ]);
  const growPending = structuredClone(old);
  growPending.spec!.resources!.requests!['storage'] = '2Gi';
  assert.equal(validatePersistentVolumeClaim(growPending, old)[0]?.field, 'spec');
  const bound = structuredClone(bind);
  bound.status = { phase: 'Bound', capacity: { storage: '1Gi' } };
  const grow = structuredClone(bound);
  grow.spec!.resources!.requests!['storage'] = '2Gi';
  assert.deepEqual(validatePersistentVolumeClaim(grow, bound), []);
  const shrink = structuredClone(bound);
  shrink.spec!.resources!.requests!['storage'] = '500Mi';
  assert.deepEqual(fields(validatePersistentVolumeClaim(shrink, bound)), [
    'FieldValueForbidden spec.resources.requests.storage: field can not be less than status.capacity',
  ]);
});

test('claim row: the bound volume, capacity and short access modes', () => {
  const c = ok();
  defaultPersistentVolumeClaim(c);
  c.spec!.storageClassName = 'local-path';
  assert.deepEqual(persistentVolumeClaimKind.table.row(c, NOW), [
    'data',
    'Pending',
    '',
    '',
    '',
    'local-path',
    '<unset>',
    '2m',
    'Filesystem',
  ]);
  c.spec!.volumeName = 'pvc-1';
  c.status = { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] };
  assert.deepEqual(persistentVolumeClaimKind.table.row(c, NOW).slice(0, 6), ['data', 'Bound', 'pvc-1', '1Gi', 'RWO,ROX', 'local-path']);
});

const volume = (spec: Pv['spec']): Pv => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'pv-1', creationTimestamp: '2024-05-01T11:00:00Z' },
  spec,
});
const hostVolume = () => volume({ capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/srv/pv-1' } });

test('volume defaults: Retain, Filesystem, phase Pending', () => {
  const pv = hostVolume();
  defaultPersistentVolume(pv);
  assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(pv.spec?.volumeMode, 'Filesystem');
  assert.equal(pv.status?.phase, 'Pending');
  assert.deepEqual(validatePersistentVolume(pv, undefined), []);
});

test('volume validation: capacity, access modes, one source, reclaim policy, node affinity', () => {
  assert.deepEqual(fields(validatePersistentVolume(volume({ accessModes: ['ReadWriteOnce'], hostPath: { path: '/x' } }), undefined)), [
    'FieldValueRequired spec.capacity: ',
  ]);
  assert.deepEqual(fields(validatePersistentVolume(volume({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] }), undefined)), [
    'FieldValueRequired spec: must specify a volume type',
  ]);
  const two = volume({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/x' }, local: { path: '/y' } });
  assert.deepEqual(fields(validatePersistentVolume(two, undefined)), [
    'FieldValueForbidden spec.local: may not specify more than 1 volume type',
    'FieldValueRequired spec.nodeAffinity: Local volume requires node affinity',
  ]);
  const policy = hostVolume();
  policy.spec!.persistentVolumeReclaimPolicy = 'Keep';
  assert.equal(validatePersistentVolume(policy, undefined)[0]?.field, 'spec.persistentVolumeReclaimPolicy');
  const affinity = hostVolume();
  affinity.spec!.nodeAffinity = {};
  assert.deepEqual(fields(validatePersistentVolume(affinity, undefined)), [
    'FieldValueRequired spec.nodeAffinity.required: must specify required node constraints',
  ]);
  const noModes = hostVolume();
  noModes.spec!.accessModes = [];
  assert.equal(validatePersistentVolume(noModes, undefined)[0]?.field, 'spec.accessModes');
});

test('volume updates: the source is fixed, the reclaim policy may change', () => {
  const old = hostVolume();
  defaultPersistentVolume(old);
  const moved = structuredClone(old);
  moved.spec!.hostPath!.path = '/elsewhere';
  assert.deepEqual(fields(validatePersistentVolume(moved, old)), [
    'FieldValueForbidden spec.persistentvolumesource: spec.persistentvolumesource is immutable after creation',
  ]);
  const policy = structuredClone(old);
  policy.spec!.persistentVolumeReclaimPolicy = 'Delete';
  assert.deepEqual(validatePersistentVolume(policy, old), []);
});

test('volume row: capacity, modes, policy, phase, claim', () => {
  const pv = hostVolume();
  defaultPersistentVolume(pv);
  pv.spec!.claimRef = { namespace: 'default', name: 'data' };
  pv.spec!.storageClassName = 'manual';
  pv.status = { phase: 'Bound' };
  assert.deepEqual(persistentVolumeKind.table.row(pv, NOW), [
    'pv-1',
    '5Gi',
    'RWO',
    'Retain',
    'Bound',
    'default/data',
    'manual',
    '<unset>',
    '',
    '60m',
    'Filesystem',
  ]);
});

test('claim specs elsewhere (StatefulSet volumeClaimTemplates) are checked under their own path', () => {
  assert.deepEqual(fields(validateClaimSpec({ accessModes: ['ReadWriteOnce'] }, 'spec.volumeClaimTemplates[0].spec')), [
    'FieldValueRequired spec.volumeClaimTemplates[0].spec.resources[storage]: ',
  ]);
});

test('status phases are upstream’s', () => {
  const c = ok();
  c.status = { phase: 'Happy' };
  assert.deepEqual(fields(validatePersistentVolumeClaimStatus(c)), [
    'FieldValueNotSupported status.phase: supported values: "Pending", "Bound", "Lost"',
  ]);
  const pv = hostVolume();
  pv.status = { phase: 'Gone' };
  assert.equal(validatePersistentVolumeStatus(pv)[0]?.field, 'status.phase');
  pv.status = { phase: 'Released' };
  assert.deepEqual(validatePersistentVolumeStatus(pv), []);
});
