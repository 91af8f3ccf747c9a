// core/v1 ConfigMap.

import type { FieldError } from '../../../base/errors.js';
import type { ConfigMap } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { check, forbidden, invalidValue, isConfigMapKey, jsonEqual, tooLong } from '../../validation/index.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';

type ConfigMapIn = UnvalidatedObject<ConfigMap>;

export const MAX_CONFIG_SIZE = 1024 * 1024;

/** `immutable: true` freezes data, binaryData and the flag itself. */
export function validateImmutableData(
  obj: { immutable?: boolean; data?: unknown; binaryData?: unknown },
  old: { immutable?: boolean; data?: unknown; binaryData?: unknown } | undefined,
): FieldError[] {
  if (!old?.immutable) return [];
  const errs: FieldError[] = [];
  const detail = 'field is immutable when `immutable` is set';
  if (!obj.immutable) errs.push(forbidden('immutable', detail));
  if (!jsonEqual(obj.data, old.data)) errs.push(forbidden('data', detail));
  if (!jsonEqual(obj.binaryData, old.binaryData)) errs.push(forbidden('binaryData', detail));
  return errs;
}

export function validateConfigMap(cm: ConfigMapIn, old: ConfigMapIn | undefined): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    errs.push(...check(isConfigMapKey, k, `data[${k}]`));
    if (cm.binaryData && Object.prototype.hasOwnProperty.call(cm.binaryData, k))
      errs.push(invalidValue(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(String(v));
  }
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) {
    errs.push(...check(isConfigMapKey, k, `binaryData[${k}]`));
    size += Buffer.from(String(v), 'base64').length;
  }
  if (size > MAX_CONFIG_SIZE) errs.push(tooLong('', MAX_CONFIG_SIZE));
  errs.push(...validateImmutableData(cm, old));
  return errs;
}

export const configMapKind = defineKind<ConfigMap>({
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  listKind: 'ConfigMapList',
  plural: 'configmaps',
  singular: 'configmap',
  shortNames: ['cm'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.core.v1.ConfigMap',
  subresources: [],
  generation: false,
  hasStatus: false,
  validate: validateConfigMap,
  table: {
    columns: [nameColumn, col('Data', 'string', 'Number of data and binaryData entries.'), ageColumn],
    row: (cm, now) => [cm.metadata.name ?? '', Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length, age(cm, now)],
  },
});
