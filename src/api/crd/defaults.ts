// Defaulting of custom objects, as the API server does on create, update and when reading from storage:
// first nulls of non-nullable fields without a default are dropped, then every missing (or null,
// non-nullable) field with a `default` gets a copy of it, top-down, so that the nested defaults of an
// object that was itself defaulted are filled too.

import { additionalOf, copyJson, hasDefault, isPlainObject, itemsOf, propsOf, type Schema } from './access.js';
import { normalizeSchema } from './normalize.js';

const nonNullableNull = (v: unknown, s: Schema | undefined): boolean => v === null && s !== undefined && !s.nullable;

function childSchema(s: Schema | undefined, k: string): Schema | undefined {
  if (!s) return undefined;
  return propsOf(s)[k] ?? additionalOf(s)?.schema;
}

function pruneNulls(x: unknown, s: Schema | undefined): void {
  if (Array.isArray(x)) {
    const items = s ? itemsOf(s) : undefined;
    for (const v of x) pruneNulls(v, items);
    return;
  }
  if (!isPlainObject(x)) return;
  for (const k of Object.keys(x)) {
    const cs = childSchema(s, k);
    if (nonNullableNull(x[k], cs) && !hasDefault(cs)) delete x[k];
    else pruneNulls(x[k], cs);
  }
}

interface FillPlan {
  /** the properties that carry a default */
  defaulted: Array<[string, Schema]>;
  /** whether any default is declared here or below (without one, fill changes nothing) */
  deep: boolean;
}
const plans = new WeakMap<Schema, FillPlan>();

function planOf(s: Schema): FillPlan {
  let plan = plans.get(s);
  if (plan) return plan;
  plan = { defaulted: [], deep: false };
  plans.set(s, plan); // a (non-structural) schema that contains itself ends here
  const props = Object.entries(propsOf(s));
  plan.defaulted = props.filter(([, p]) => hasDefault(p));
  const items = itemsOf(s);
  const add = additionalOf(s)?.schema;
  plan.deep =
    plan.defaulted.length > 0 ||
    props.some(([, p]) => planOf(p).deep) ||
    (items !== undefined && (hasDefault(items) || planOf(items).deep)) ||
    (add !== undefined && (hasDefault(add) || planOf(add).deep));
  return plan;
}

function fill(x: unknown, s: Schema | undefined): void {
  if (!s || !planOf(s).deep) return;
  if (Array.isArray(x)) {
    const items = itemsOf(s);
    for (let i = 0; i < x.length; i++) {
      if (items && nonNullableNull(x[i], items)) x[i] = copyJson(items.default ?? null);
      fill(x[i], items);
    }
    return;
  }
  if (!isPlainObject(x)) return;
  const props = propsOf(s);
  for (const [k, p] of planOf(s).defaulted) {
    if (!(k in x) || nonNullableNull(x[k], p)) x[k] = copyJson(p.default);
  }
  const add = additionalOf(s)?.schema;
  for (const k of Object.keys(x)) {
    const p = props[k];
    if (p) fill(x[k], p);
    else if (add) {
      if (nonNullableNull(x[k], add)) x[k] = copyJson(add.default ?? null);
      fill(x[k], add);
    }
  }
}

export function applySchemaDefaults(obj: Record<string, unknown>, raw: Schema): void {
  const schema = normalizeSchema(raw);
  pruneNulls(obj, schema);
  fill(obj, schema);
}
