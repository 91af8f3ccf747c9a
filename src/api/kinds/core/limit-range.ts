// core/v1 LimitRange: per-namespace bounds and defaults for containers', pods' and claims'
// resources. Enforced and applied by LimitRanger admission (src/apiserver/admission/limit-ranger.ts).

import type { FieldError } from '../../../base/errors.js';
import { compareQuantities, formatQuantity, isQuantity, toMilli } from '../../../base/quantity.js';
import type { LimitRange, LimitRangeItem } from '../../gen/types.js';
import type { Unvalidated, UnvalidatedObject } from '../../unvalidated.js';
import { duplicate, forbidden, invalidValue, isQualifiedName } from '../../validation/index.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { col, nameColumn } from '../common/table.js';
import { validateContainerResourceName, validateResourceName, validateResourceQuantity } from './resource-name.js';

type LimitRangeIn = UnvalidatedObject<LimitRange>;
type Item = Unvalidated<LimitRangeItem>;
type List = Record<string, string | number>;

const STANDARD_TYPES = ['Pod', 'Container', 'PersistentVolumeClaim'];

/**
 * Upstream's defaults for a Container item: the default limit is the max, the default request
 * the default limit, else the min.
 */
export function defaultLimitRange(lr: LimitRangeIn): void {
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    const def: List = (item.default ??= {});
    const req: List = (item.defaultRequest ??= {});
    for (const [k, v] of Object.entries(item.max ?? {})) def[k] ??= v;
    for (const [k, v] of Object.entries(def)) req[k] ??= v;
    for (const [k, v] of Object.entries(item.min ?? {})) req[k] ??= v;
  }
}

const q = (v: string | number) => formatQuantity(v);

function validateTypeName(type: string | undefined, field: string): FieldError[] {
  const t = type ?? '';
  const errs = isQualifiedName(t).map((m) => invalidValue(field, t, m));
  if (errs.length) return errs;
  if (!t.includes('/') && !STANDARD_TYPES.includes(t)) return [invalidValue(field, t, 'must be a standard limit type or fully qualified')];
  return [];
}

/** The names and quantities of one of an item's lists. */
function validateList(item: Item, key: keyof Omit<Item, 'type'>, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(item[key] ?? {})) {
    const f = `${field}.${key}[${k}]`;
    const nameErrs = item.type === 'Pod' || item.type === 'Container' ? validateContainerResourceName(k, f) : validateResourceName(k, f);
    errs.push(...nameErrs, ...validateResourceQuantity(k, v, f));
  }
  return errs;
}

/** min <= defaultRequest <= default <= max, ratio >= 1 and within max/min, for one resource. */
function validateOrder(item: Item, k: string, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const min = item.min?.[k];
  const max = item.max?.[k];
  const def = item.default?.[k];
  const defReq = item.defaultRequest?.[k];
  const ratio = item.maxLimitRequestRatio?.[k];
  const gt = (a: string | number, b: string | number) => compareQuantities(a, b) > 0;
  if (min !== undefined && max !== undefined && gt(min, max))
    errs.push(invalidValue(`${field}.min[${k}]`, min, `min value ${q(min)} is greater than max value ${q(max)}`));
  if (defReq !== undefined && min !== undefined && gt(min, defReq))
    errs.push(
      invalidValue(`${field}.defaultRequest[${k}]`, defReq, `min value ${q(min)} is greater than default request value ${q(defReq)}`),
    );
  if (defReq !== undefined && max !== undefined && gt(defReq, max))
    errs.push(
      invalidValue(`${field}.defaultRequest[${k}]`, defReq, `default request value ${q(defReq)} is greater than max value ${q(max)}`),
    );
  if (defReq !== undefined && def !== undefined && gt(defReq, def))
    errs.push(
      invalidValue(
        `${field}.defaultRequest[${k}]`,
        defReq,
        `default request value ${q(defReq)} is greater than default limit value ${q(def)}`,
      ),
    );
  if (def !== undefined && min !== undefined && gt(min, def))
    errs.push(invalidValue(`${field}.default[${k}]`, min, `min value ${q(min)} is greater than default value ${q(def)}`));
  if (def !== undefined && max !== undefined && gt(def, max))
    errs.push(invalidValue(`${field}.default[${k}]`, max, `default value ${q(def)} is greater than max value ${q(max)}`));
  if (ratio !== undefined && compareQuantities(ratio, 1) < 0)
    errs.push(invalidValue(`${field}.maxLimitRequestRatio[${k}]`, ratio, `ratio ${q(ratio)} is less than 1`));
  if (ratio !== undefined && min !== undefined && max !== undefined && toMilli(min) > 0) {
    const limit = toMilli(max) / toMilli(min);
    if (toMilli(ratio) / 1000 > limit)
      errs.push(
        invalidValue(`${field}.maxLimitRequestRatio[${k}]`, ratio, `ratio ${q(ratio)} is greater than max/min = ${limit.toFixed(6)}`),
      );
  }
  return errs;
}

export function validateLimitRange(lr: LimitRangeIn): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (lr.spec?.limits ?? []).forEach((item, i) => {
    const field = `spec.limits[${i}]`;
    errs.push(...validateTypeName(item.type, `${field}.type`));
    if (item.type !== undefined && seen.has(item.type)) errs.push(duplicate(`${field}.type`, item.type));
    if (item.type !== undefined) seen.add(item.type);
    for (const key of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const)
      errs.push(...validateList(item, key, field));
    if (item.type === 'Pod') {
      if (Object.keys(item.default ?? {}).length) errs.push(forbidden(`${field}.default`, "may not be specified when `type` is 'Pod'"));
      if (Object.keys(item.defaultRequest ?? {}).length)
        errs.push(forbidden(`${field}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
    }
    const keys = new Set([
      ...Object.keys(item.max ?? {}),
      ...Object.keys(item.min ?? {}),
      ...Object.keys(item.default ?? {}),
      ...Object.keys(item.defaultRequest ?? {}),
      ...Object.keys(item.maxLimitRequestRatio ?? {}),
    ]);
    // quantities that do not parse were reported above; comparing them would only repeat that
    const parses = (k: string) =>
      [item.max, item.min, item.default, item.defaultRequest, item.maxLimitRequestRatio].every(
        (l) => l?.[k] === undefined || isQuantity(String(l[k])),
      );
    for (const k of keys) if (parses(k)) errs.push(...validateOrder(item, k, field));
  });
  return errs;
}

export const limitRangeKind = defineKind<LimitRange>({
  group: '',
  version: 'v1',
  kind: 'LimitRange',
  listKind: 'LimitRangeList',
  plural: 'limitranges',
  singular: 'limitrange',
  shortNames: ['limits'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.core.v1.LimitRange',
  subresources: [],
  generation: false,
  hasStatus: false,
  defaults: defaultLimitRange,
  validate: validateLimitRange,
  table: {
    columns: [
      nameColumn,
      col('Created At', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
    ],
    row: (lr) => [lr.metadata.name ?? '', lr.metadata.creationTimestamp ?? ''],
  },
});
