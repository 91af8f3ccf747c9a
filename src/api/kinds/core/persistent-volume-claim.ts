// core/v1 PersistentVolumeClaim: upstream's validation (access modes, a positive storage request,
// a spec that only grows its request once bound and only gains a volumeName when it binds),
// defaults (volumeMode Filesystem, phase Pending), the status subresource and kubectl's columns.

import type { FieldError } from '../../../base/errors.js';
import type { PersistentVolumeClaim, PersistentVolumeClaimSpec } from '../../gen/types.js';
import type { Unvalidated, UnvalidatedObject } from '../../unvalidated.js';
import { accessModesText, claimClass } from '../../storage/claims.js';
import { ACCESS_MODES, VOLUME_MODES } from '../../storage/well-known.js';
import {
  forbidden,
  invalidValue,
  jsonEqual,
  notSupported,
  quantityOrNaN,
  required,
  validateDNS1123Subdomain,
  validateLabelSelector,
  validateQuantity,
} from '../../validation/index.js';
import { defineKind, STANDARD_VERBS, statusSub } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';

type PvcIn = UnvalidatedObject<PersistentVolumeClaim>;
type SpecIn = Unvalidated<PersistentVolumeClaimSpec>;

export function defaultPersistentVolumeClaim(pvc: PvcIn): void {
  const spec = (pvc.spec ??= {});
  spec.volumeMode ??= 'Filesystem';
  const st = (pvc.status ??= {});
  st.phase ??= 'Pending';
}

/** Access modes: at least one, each known, ReadWriteOncePod alone (shared with PersistentVolumes). */
export function validateAccessModes(modes: readonly string[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!modes || modes.length === 0) return [required(field, 'at least 1 access mode is required')];
  // upstream lists the supported modes sorted
  for (const m of modes) if (!(ACCESS_MODES as readonly string[]).includes(m)) errs.push(notSupported(field, m, [...ACCESS_MODES].sort()));
  if (modes.includes('ReadWriteOncePod') && modes.length > 1)
    errs.push(forbidden(field, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

export function validateVolumeMode(mode: string | undefined, field: string): FieldError[] {
  return mode !== undefined && !(VOLUME_MODES as readonly string[]).includes(mode) ? [notSupported(field, mode, VOLUME_MODES)] : [];
}

/** A claim spec (also the spec of a StatefulSet's volumeClaimTemplates), under `path`. */
export function validateClaimSpec(spec: SpecIn | undefined, path: string): FieldError[] {
  if (!spec) return [required(path)];
  const errs: FieldError[] = [];
  errs.push(...validateAccessModes(spec.accessModes, `${path}.accessModes`));
  errs.push(...validateLabelSelector(spec.selector, `${path}.selector`));
  const requests = spec.resources?.requests ?? {};
  const storage = requests['storage'];
  const storagePath = `${path}.resources[storage]`;
  if (storage === undefined) errs.push(required(storagePath));
  else {
    // upstream checks positivity first: a negative request is "greater than zero" too
    const bad = validateQuantity(storage, storagePath, false);
    if (bad.length > 0) errs.push(...bad);
    else if (!(quantityOrNaN(storage) > 0)) errs.push(invalidValue(storagePath, storage, 'must be greater than zero'));
  }
  for (const [name, q] of Object.entries(spec.resources?.limits ?? {}))
    errs.push(...validateQuantity(q, `${path}.resources.limits[${name}]`));
  if (spec.storageClassName) errs.push(...validateDNS1123Subdomain(spec.storageClassName, `${path}.storageClassName`));
  errs.push(...validateVolumeMode(spec.volumeMode, `${path}.volumeMode`));
  if (spec.volumeName !== undefined && spec.volumeName !== '')
    errs.push(...validateDNS1123Subdomain(spec.volumeName, `${path}.volumeName`));
  return errs;
}

/** What of a claim's spec may change: the storage request once bound, a first volumeName, a first class. */
function validateClaimUpdate(pvc: PvcIn, old: PvcIn): FieldError[] {
  const spec = pvc.spec ?? {},
    os = old.spec ?? {};
  const errs: FieldError[] = [];
  const masked: SpecIn = { ...spec };
  // binding fills volumeName once; a class may be given to a claim that had none (retroactive default)
  if (!os.volumeName) masked.volumeName = os.volumeName;
  if (os.storageClassName === undefined) masked.storageClassName = undefined;
  const bound = old.status?.phase === 'Bound';
  if (bound)
    masked.resources = { ...spec.resources, requests: { ...spec.resources?.requests, storage: os.resources?.requests?.['storage'] ?? '' } };
  masked.volumeAttributesClassName = os.volumeAttributesClassName;
  if (!jsonEqual(masked, os)) {
    errs.push(
      forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'),
    );
    return errs;
  }
  const now = spec.resources?.requests?.['storage'],
    before = os.resources?.requests?.['storage'];
  if (bound && now !== undefined && before !== undefined) {
    const capacity = old.status?.capacity?.['storage'];
    const floor = quantityOrNaN(capacity ?? before);
    if (quantityOrNaN(now) < floor && quantityOrNaN(now) < quantityOrNaN(before))
      errs.push(
        forbidden(
          'spec.resources.requests.storage',
          capacity ? 'field can not be less than status.capacity' : 'field can not be less than previous value',
        ),
      );
  }
  return errs;
}

export function validatePersistentVolumeClaim(pvc: PvcIn, old: PvcIn | undefined): FieldError[] {
  const errs = validateClaimSpec(pvc.spec, 'spec');
  if (old && errs.length === 0) errs.push(...validateClaimUpdate(pvc, old));
  return errs;
}

const CLAIM_PHASES = ['Pending', 'Bound', 'Lost'];

export function validatePersistentVolumeClaimStatus(pvc: PvcIn): FieldError[] {
  const st = pvc.status ?? {};
  const errs: FieldError[] = [];
  if (st.phase !== undefined && !CLAIM_PHASES.includes(st.phase)) errs.push(notSupported('status.phase', st.phase, CLAIM_PHASES));
  if (st.accessModes && st.accessModes.length > 0) errs.push(...validateAccessModes(st.accessModes, 'status.accessModes'));
  for (const [k, q] of Object.entries(st.capacity ?? {})) errs.push(...validateQuantity(q, `status.capacity[${k}]`));
  return errs;
}

export const persistentVolumeClaimKind = defineKind<PersistentVolumeClaim>({
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  listKind: 'PersistentVolumeClaimList',
  plural: 'persistentvolumeclaims',
  singular: 'persistentvolumeclaim',
  shortNames: ['pvc'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.core.v1.PersistentVolumeClaim',
  subresources: [statusSub('', 'PersistentVolumeClaim')],
  generation: false,
  hasStatus: true,
  defaults: defaultPersistentVolumeClaim,
  validate: validatePersistentVolumeClaim,
  validateStatus: validatePersistentVolumeClaimStatus,
  table: {
    columns: [
      nameColumn,
      col('Status', 'string', 'The phase of the claim.'),
      col('Volume', 'string', 'The volume the claim is bound to.'),
      col('Capacity', 'string', 'The capacity of the bound volume.'),
      col('Access Modes', 'string', 'The access modes of the bound volume.'),
      col('StorageClass', 'string', 'The class of the claim.'),
      col('VolumeAttributesClass', 'string', 'The volume attributes class of the claim.'),
      ageColumn,
      col('VolumeMode', 'string', 'Block or Filesystem.', 1),
    ],
    row(pvc, now) {
      const phase = pvc.metadata.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? '');
      const volume = pvc.spec?.volumeName ?? '';
      const capacity = volume ? String(pvc.status?.capacity?.['storage'] ?? '') : '';
      const modes = volume ? accessModesText(pvc.status?.accessModes) : '';
      return [
        pvc.metadata.name ?? '',
        phase,
        volume,
        capacity,
        modes,
        claimClass(pvc),
        pvc.spec?.volumeAttributesClassName || '<unset>',
        age(pvc, now),
        pvc.spec?.volumeMode ?? '<unset>',
      ];
    },
  },
});
