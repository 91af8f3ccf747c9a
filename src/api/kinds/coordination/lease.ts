// coordination.k8s.io/v1 Lease.

import type { FieldError } from '../../../base/errors.js';
import type { Lease } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { invalidValue, nonNegative, notSupported } from '../../validation/index.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';

type LeaseIn = UnvalidatedObject<Lease>;

export function validateLease(l: LeaseIn): FieldError[] {
  const spec = l.spec ?? {};
  const errs: FieldError[] = [];
  const d = spec.leaseDurationSeconds;
  if (d !== undefined && d <= 0) errs.push(invalidValue('spec.leaseDurationSeconds', d, 'must be greater than 0'));
  errs.push(...nonNegative('spec.leaseTransitions', spec.leaseTransitions));
  if (spec.strategy !== undefined && spec.strategy !== 'OldestEmulationVersion') {
    errs.push(notSupported('spec.strategy', spec.strategy, ['OldestEmulationVersion']));
  }
  return errs;
}

export const leaseKind = defineKind<Lease>({
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  listKind: 'LeaseList',
  plural: 'leases',
  singular: 'lease',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.coordination.v1.Lease',
  subresources: [],
  generation: false,
  hasStatus: false,
  validate: validateLease,
  table: {
    columns: [nameColumn, col('Holder', 'string', 'Identity of the current holder.'), ageColumn],
    row: (l, now) => [l.metadata.name ?? '', l.spec?.holderIdentity ?? '', age(l, now)],
  },
});
