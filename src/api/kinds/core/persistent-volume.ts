// core/v1 PersistentVolume: upstream's validation (a storage capacity, access modes, exactly one
// volume source, a known reclaim policy, node affinity with required terms, a local volume only
// with node affinity, the source and affinity fixed once created), defaults (reclaim Retain,
// volumeMode Filesystem, phase Pending), the status subresource and kubectl's columns.

import type { FieldError } from '../../../base/errors.js';
import type { NodeSelectorTerm, PersistentVolume, PersistentVolumeSpec } from '../../gen/types.js';
import type { Unvalidated, UnvalidatedObject } from '../../unvalidated.js';
import { accessModesText, volumeClass } from '../../storage/claims.js';
import {
  forbidden,
  immutable,
  invalidValue,
  notSupported,
  required,
  validateDNS1123Subdomain,
  validateLabelName,
  validateQuantity,
} from '../../validation/index.js';
import { defineKind, STANDARD_VERBS, statusSub } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';
import { validateAccessModes, validateVolumeMode } from './persistent-volume-claim.js';

type PvIn = UnvalidatedObject<PersistentVolume>;
type SpecIn = Unvalidated<PersistentVolumeSpec>;

/** Every volume source a PersistentVolume may name (exactly one of them). */
const SOURCES = [
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'hostPath',
  'glusterfs',
  'nfs',
  'rbd',
  'quobyte',
  'cephfs',
  'iscsi',
  'cinder',
  'fc',
  'flocker',
  'flexVolume',
  'azureFile',
  'vsphereVolume',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'local',
  'storageos',
  'csi',
] as const satisfies ReadonlyArray<keyof PersistentVolumeSpec>;

const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];
const VOLUME_PHASES = ['Pending', 'Available', 'Bound', 'Released', 'Failed'];
const SELECTOR_OPS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'];

export function defaultPersistentVolume(pv: PvIn): void {
  const spec = (pv.spec ??= {});
  spec.persistentVolumeReclaimPolicy ??= 'Retain';
  spec.volumeMode ??= 'Filesystem';
  if (spec.hostPath) spec.hostPath.type ??= '';
  const st = (pv.status ??= {});
  st.phase ??= 'Pending';
}

function validateTerm(t: Unvalidated<NodeSelectorTerm>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const exprs = t.matchExpressions ?? [],
    fields = t.matchFields ?? [];
  exprs.forEach((r, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    errs.push(...validateLabelName(r.key ?? '', `${p}.key`));
    if (!SELECTOR_OPS.includes(r.operator ?? '')) errs.push(notSupported(`${p}.operator`, r.operator ?? '', SELECTOR_OPS));
    const n = (r.values ?? []).length;
    if ((r.operator === 'In' || r.operator === 'NotIn') && n === 0)
      errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && n > 0)
      errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    if ((r.operator === 'Gt' || r.operator === 'Lt') && n !== 1)
      errs.push(required(`${p}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
  });
  fields.forEach((r, i) => {
    if (r.key !== 'metadata.name') errs.push(invalidValue(`${path}.matchFields[${i}].key`, r.key, 'not a valid field selector key'));
  });
  return errs;
}

function validateNodeAffinity(spec: SpecIn): FieldError[] {
  const na = spec.nodeAffinity;
  if (!na) return [];
  if (!na.required) return [required('spec.nodeAffinity.required', 'must specify required node constraints')];
  const terms = na.required.nodeSelectorTerms ?? [];
  if (terms.length === 0) return [required('spec.nodeAffinity.required.nodeSelectorTerms', 'must have at least one node selector term')];
  return terms.flatMap((t, i) => validateTerm(t, `spec.nodeAffinity.required.nodeSelectorTerms[${i}]`));
}

function validateSources(spec: SpecIn): FieldError[] {
  const present = SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (present.length === 0) return [required('spec', 'must specify a volume type')];
  const errs = present.slice(1).map((s) => forbidden(`spec.${s}`, 'may not specify more than 1 volume type'));
  if (spec.hostPath) {
    const hp = spec.hostPath;
    if (!hp.path) errs.push(required('spec.hostPath.path'));
    else if (hp.path.split(/[\\/]/).includes('..')) errs.push(invalidValue('spec.hostPath.path', hp.path, "must not contain '..'"));
    if (hp.type !== undefined && !HOST_PATH_TYPES.includes(hp.type))
      errs.push(notSupported('spec.hostPath.type', hp.type, HOST_PATH_TYPES));
    if (spec.persistentVolumeReclaimPolicy === 'Recycle' && hp.path === '/')
      errs.push(forbidden('spec.persistentVolumeReclaimPolicy', "may not be 'recycle' for a hostPath mount of '/'"));
  }
  if (spec.local) {
    if (!spec.local.path) errs.push(required('spec.local.path'));
    if (!spec.nodeAffinity) errs.push(required('spec.nodeAffinity', 'Local volume requires node affinity'));
  }
  return errs;
}

export function validatePersistentVolume(pv: PvIn, old: PvIn | undefined): FieldError[] {
  const spec = pv.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes'));
  const capacity = spec.capacity ?? {};
  const keys = Object.keys(capacity);
  if (keys.length === 0) errs.push(required('spec.capacity'));
  else if (capacity['storage'] === undefined || keys.length > 1) errs.push(notSupported('spec.capacity', capacity, ['storage']));
  for (const k of keys) errs.push(...validateQuantity(capacity[k], `spec.capacity[${k}]`));
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy !== undefined && !RECLAIM_POLICIES.includes(policy))
    errs.push(notSupported('spec.persistentVolumeReclaimPolicy', policy, RECLAIM_POLICIES));
  if (spec.storageClassName) errs.push(...validateDNS1123Subdomain(spec.storageClassName, 'spec.storageClassName'));
  errs.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  errs.push(...validateSources(spec));
  errs.push(...validateNodeAffinity(spec));
  if (spec.claimRef) {
    if (!spec.claimRef.name) errs.push(required('spec.claimRef.name'));
    if (!spec.claimRef.namespace) errs.push(required('spec.claimRef.namespace'));
  }
  if (old) {
    const os = old.spec ?? {};
    const source = (s: SpecIn) => Object.fromEntries(SOURCES.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
    if (immutable('spec', source(spec), source(os)).length > 0)
      errs.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
    errs.push(...immutable('spec.volumeMode', spec.volumeMode, os.volumeMode));
    if (os.nodeAffinity) errs.push(...immutable('spec.nodeAffinity', spec.nodeAffinity, os.nodeAffinity));
  }
  return errs;
}

export function validatePersistentVolumeStatus(pv: PvIn): FieldError[] {
  const phase = pv.status?.phase;
  return phase !== undefined && !VOLUME_PHASES.includes(phase) ? [notSupported('status.phase', phase, VOLUME_PHASES)] : [];
}

export const persistentVolumeKind = defineKind<PersistentVolume>({
  group: '',
  version: 'v1',
  kind: 'PersistentVolume',
  listKind: 'PersistentVolumeList',
  plural: 'persistentvolumes',
  singular: 'persistentvolume',
  shortNames: ['pv'],
  categories: [],
  namespaced: false,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.core.v1.PersistentVolume',
  subresources: [statusSub('', 'PersistentVolume')],
  generation: false,
  hasStatus: true,
  defaults: defaultPersistentVolume,
  validate: validatePersistentVolume,
  validateStatus: validatePersistentVolumeStatus,
  table: {
    columns: [
      nameColumn,
      col('Capacity', 'string', 'The storage capacity of the volume.'),
      col('Access Modes', 'string', 'The access modes of the volume.'),
      col('Reclaim Policy', 'string', 'What happens to the volume when its claim is released.'),
      col('Status', 'string', 'The phase of the volume.'),
      col('Claim', 'string', 'The claim bound to the volume.'),
      col('StorageClass', 'string', 'The class of the volume.'),
      col('VolumeAttributesClass', 'string', 'The volume attributes class of the volume.'),
      col('Reason', 'string', 'Why the volume is in its phase.'),
      ageColumn,
      col('VolumeMode', 'string', 'Block or Filesystem.', 1),
    ],
    row(pv, now) {
      const spec = pv.spec ?? {};
      const ref = spec.claimRef;
      const claim = ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '';
      const phase = pv.metadata.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? '');
      return [
        pv.metadata.name ?? '',
        String(spec.capacity?.['storage'] ?? ''),
        accessModesText(spec.accessModes),
        spec.persistentVolumeReclaimPolicy ?? '',
        phase,
        claim,
        volumeClass(pv),
        spec.volumeAttributesClassName || '<unset>',
        pv.status?.reason ?? '',
        age(pv, now),
        spec.volumeMode ?? '<unset>',
      ];
    },
  },
});
