// storage.k8s.io/v1 StorageClass: upstream's validation (a qualified provisioner, reclaim Delete or
// Retain, a known binding mode, at most 512 parameters; provisioner, parameters, reclaim policy and
// binding mode fixed once created), defaults (reclaim Delete, binding Immediate) and kubectl's
// columns, with `(default)` after the name of a default class.

import type { FieldError } from '../../../base/errors.js';
import type { StorageClass } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { isDefaultClass } from '../../storage/claims.js';
import {
  forbidden,
  immutable,
  invalidValue,
  jsonEqual,
  notSupported,
  required,
  tooLong,
  validateQualifiedName,
} from '../../validation/index.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';

type ScIn = UnvalidatedObject<StorageClass>;

const RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_BYTES = 256 * 1024;

export function defaultStorageClass(sc: ScIn): void {
  sc.reclaimPolicy ??= 'Delete';
  sc.volumeBindingMode ??= 'Immediate';
}

function validateParameters(params: Readonly<Record<string, string>> | undefined): FieldError[] {
  const entries = Object.entries(params ?? {});
  const errs: FieldError[] = [];
  if (entries.length > MAX_PARAMETERS)
    errs.push(invalidValue('parameters', entries.length, `must have at most ${MAX_PARAMETERS} parameters`));
  let size = 0;
  for (const [k, v] of entries) {
    if (k === '') errs.push(invalidValue('parameters', k, 'field can not be empty.'));
    size += k.length + String(v).length;
  }
  if (size > MAX_PARAMETERS_BYTES) errs.push(tooLong('parameters', MAX_PARAMETERS_BYTES));
  return errs;
}

export function validateStorageClass(sc: ScIn, old: ScIn | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (!sc.provisioner) errs.push(required('provisioner'));
  else errs.push(...validateQualifiedName(sc.provisioner, 'provisioner'));
  errs.push(...validateParameters(sc.parameters));
  if (sc.reclaimPolicy !== undefined && !RECLAIM_POLICIES.includes(sc.reclaimPolicy))
    errs.push(notSupported('reclaimPolicy', sc.reclaimPolicy, RECLAIM_POLICIES));
  if (sc.volumeBindingMode === undefined) errs.push(required('volumeBindingMode'));
  else if (!BINDING_MODES.includes(sc.volumeBindingMode)) errs.push(notSupported('volumeBindingMode', sc.volumeBindingMode, BINDING_MODES));
  if (old) {
    if (!jsonEqual(sc.parameters ?? {}, old.parameters ?? {})) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
    if (sc.provisioner !== old.provisioner) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    errs.push(...immutable('volumeBindingMode', sc.volumeBindingMode, old.volumeBindingMode));
  }
  return errs;
}

export const storageClassKind = defineKind<StorageClass>({
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'StorageClass',
  listKind: 'StorageClassList',
  plural: 'storageclasses',
  singular: 'storageclass',
  shortNames: ['sc'],
  categories: [],
  namespaced: false,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.storage.v1.StorageClass',
  subresources: [],
  generation: false,
  hasStatus: false,
  defaults: defaultStorageClass,
  validate: validateStorageClass,
  table: {
    columns: [
      nameColumn,
      col('Provisioner', 'string', 'The provisioner that makes volumes of the class.'),
      col('ReclaimPolicy', 'string', 'What happens to a volume of the class when its claim is released.'),
      col('VolumeBindingMode', 'string', 'When claims of the class are bound.'),
      col('AllowVolumeExpansion', 'string', 'Whether claims of the class may grow.'),
      ageColumn,
    ],
    row: (sc, now) => [
      isDefaultClass(sc) ? `${sc.metadata.name ?? ''} (default)` : (sc.metadata.name ?? ''),
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      String(sc.allowVolumeExpansion ?? false),
      age(sc, now),
    ],
  },
});
