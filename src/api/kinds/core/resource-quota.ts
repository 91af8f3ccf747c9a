// core/v1 ResourceQuota: limits on what a namespace may use. The quota controller fills
// status.hard/used (src/controllers/resourcequota/); admission enforces it
// (src/apiserver/admission/resource-quota.ts).

import type { FieldError } from '../../../base/errors.js';
import type { ResourceQuota } from '../../gen/types.js';
import { isStandardQuotaResourceName, QUOTA_SCOPES, scopeValidForResource } from '../../quota/names.js';
import { quantityText } from '../../quota/resource-list.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { invalidValue, required } from '../../validation/index.js';
import { defineKind, STANDARD_VERBS, statusSub } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';
import { validateResourceName, validateResourceQuantity } from './resource-name.js';

type QuotaIn = UnvalidatedObject<ResourceQuota>;
type Spec = NonNullable<QuotaIn['spec']>;

/** A quota's resource list (spec.hard, status.hard, status.used): names quota knows, valid quantities. */
function validateQuotaList(list: Record<string, unknown> | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(list ?? {})) {
    const f = `${field}[${k}]`;
    const nameErrs = validateResourceName(k, f);
    if (!nameErrs.length && !k.includes('/') && !isStandardQuotaResourceName(k))
      nameErrs.push(invalidValue(f, k, 'must be a standard resource for quota'));
    errs.push(...nameErrs, ...validateResourceQuantity(k, v, f));
  }
  return errs;
}

const CONFLICTING = [
  ['BestEffort', 'NotBestEffort'],
  ['Terminating', 'NotTerminating'],
];
const EXISTS_ONLY = new Set(['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating', 'CrossNamespacePodAffinity']);

/** Scopes apply to pod resources only; pairs that exclude each other are refused. */
function validateScopes(spec: Spec): FieldError[] {
  const scopes = spec.scopes ?? [];
  if (scopes.length === 0) return [];
  const errs: FieldError[] = [];
  const hard = Object.keys(spec.hard ?? {});
  for (const s of scopes) {
    if (!QUOTA_SCOPES.includes(s)) errs.push(invalidValue('spec.scopes', scopes, 'unsupported scope'));
    for (const k of hard) {
      if (isStandardQuotaResourceName(k) && !scopeValidForResource(s, k))
        errs.push(invalidValue('spec.scopes', scopes, 'unsupported scope applied to resource'));
    }
  }
  for (const pair of CONFLICTING)
    if (pair.every((p) => scopes.includes(p))) errs.push(invalidValue('spec.scopes', scopes, 'conflicting scopes'));
  return errs;
}

function validateScopeSelector(spec: Spec): FieldError[] {
  const exprs = spec.scopeSelector?.matchExpressions;
  if (!exprs) return [];
  const errs: FieldError[] = [];
  const field = 'spec.scopeSelector.matchExpressions';
  const hard = Object.keys(spec.hard ?? {});
  const names: string[] = [];
  for (const req of exprs) {
    const scope = req.scopeName ?? '';
    if (!QUOTA_SCOPES.includes(scope)) errs.push(invalidValue(`${field}.scopeName`, req.scopeName, 'unsupported scope'));
    for (const k of hard) {
      if (isStandardQuotaResourceName(k) && !scopeValidForResource(scope, k))
        errs.push(invalidValue(field, spec.scopeSelector, 'unsupported scope applied to resource'));
    }
    if (EXISTS_ONLY.has(scope) && req.operator !== 'Exists') {
      errs.push(
        invalidValue(
          `${field}.operator`,
          req.operator,
          "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
        ),
      );
    }
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0)
          errs.push(required(`${field}.values`, "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length !== 0)
          errs.push(
            invalidValue(`${field}.values`, values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"),
          );
        break;
      default:
        errs.push(invalidValue(`${field}.operator`, req.operator, 'not a valid selector operator'));
    }
    names.push(scope);
  }
  for (const pair of CONFLICTING)
    if (pair.every((p) => names.includes(p))) errs.push(invalidValue('spec.scopeSelector', spec.scopeSelector, 'conflicting scopes'));
  return errs;
}

export function validateResourceQuota(q: QuotaIn): FieldError[] {
  const spec = q.spec ?? {};
  return [
    ...validateQuotaList(spec.hard, 'spec.hard'),
    ...validateScopes(spec),
    ...validateScopeSelector(spec),
    ...validateQuotaList(q.status?.hard, 'status.hard'),
    ...validateQuotaList(q.status?.used, 'status.used'),
  ];
}

function validateResourceQuotaStatus(q: QuotaIn): FieldError[] {
  return [...validateQuotaList(q.status?.hard, 'status.hard'), ...validateQuotaList(q.status?.used, 'status.used')];
}

/** The REQUEST and LIMIT cells: `name: used/hard` for each hard resource, limits.* in the second. */
function quotaCells(q: QuotaIn): [string, string] {
  const request: string[] = [];
  const limit: string[] = [];
  for (const k of Object.keys(q.spec?.hard ?? {}).sort()) {
    const cell = `${k}: ${quantityText(q.status?.used?.[k])}/${quantityText(q.status?.hard?.[k])}`;
    (k.split('.')[0] === 'limits' && k.includes('.') ? limit : request).push(cell);
  }
  return [request.join(', '), limit.join(', ')];
}

export const resourceQuotaKind = defineKind<ResourceQuota>({
  group: '',
  version: 'v1',
  kind: 'ResourceQuota',
  listKind: 'ResourceQuotaList',
  plural: 'resourcequotas',
  singular: 'resourcequota',
  shortNames: ['quota'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.core.v1.ResourceQuota',
  subresources: [statusSub('', 'ResourceQuota')],
  generation: false,
  hasStatus: true,
  validate: validateResourceQuota,
  validateStatus: validateResourceQuotaStatus,
  table: {
    columns: [
      nameColumn,
      ageColumn,
      col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
      col(
        'Limit',
        'string',
        'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
      ),
    ],
    row(q, now) {
      const [request, limit] = quotaCells(q);
      return [q.metadata.name ?? '', age(q, now), request, limit];
    },
  },
});
