// core/v1 Secret.

import type { FieldError } from '../../../base/errors.js';
import type { Secret } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { check, immutable, isConfigMapKey, required, tooLong } from '../../validation/index.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';
import { MAX_CONFIG_SIZE, validateImmutableData } from './configmap.js';

type SecretIn = UnvalidatedObject<Secret>;

/** Keys each built-in secret type requires in data. */
const REQUIRED_KEYS: Readonly<Record<string, readonly string[]>> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

export function defaultSecret(s: SecretIn): void {
  s.type ??= 'Opaque';
  // stringData is write-only: its entries are folded into data (base64) and never stored.
  if (s.stringData !== undefined) {
    const data: Record<string, string> = { ...s.data };
    for (const [k, v] of Object.entries(s.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    s.data = data;
    delete s.stringData;
  }
}

export function validateSecret(s: SecretIn, old: SecretIn | undefined): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(s.data ?? {})) {
    errs.push(...check(isConfigMapKey, k, `data[${k}]`));
    size += Buffer.from(String(v), 'base64').length;
  }
  for (const k of Object.keys(s.stringData ?? {})) errs.push(...check(isConfigMapKey, k, `stringData[${k}]`));
  if (size > MAX_CONFIG_SIZE) errs.push(tooLong('data', MAX_CONFIG_SIZE));
  const type = s.type ?? 'Opaque';
  const data = { ...s.data, ...s.stringData };
  for (const key of REQUIRED_KEYS[type] ?? []) if (data[key] === undefined) errs.push(required(`data[${key}]`));
  if (type === 'kubernetes.io/service-account-token' && !s.metadata.annotations?.['kubernetes.io/service-account.name']) {
    errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
  }
  if (type === 'kubernetes.io/basic-auth' && data['username'] === undefined && data['password'] === undefined) {
    errs.push(required('data[username]'));
  }
  if (old) {
    errs.push(...immutable('type', s.type, old.type));
    errs.push(...validateImmutableData(s, old));
  }
  return errs;
}

export const secretKind = defineKind<Secret>({
  group: '',
  version: 'v1',
  kind: 'Secret',
  listKind: 'SecretList',
  plural: 'secrets',
  singular: 'secret',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.core.v1.Secret',
  subresources: [],
  generation: false,
  hasStatus: false,
  defaults: defaultSecret,
  validate: validateSecret,
  table: {
    columns: [nameColumn, col('Type', 'string', 'Type of the secret.'), col('Data', 'string', 'Number of data entries.'), ageColumn],
    row: (s, now) => [s.metadata.name ?? '', s.type ?? '', Object.keys(s.data ?? {}).length, age(s, now)],
  },
  fieldSelectors: { type: (s) => s.type ?? '' },
});
