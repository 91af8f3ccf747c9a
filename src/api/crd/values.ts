// Validation of a custom object's values against its CRD schema, with the API server's messages: the
// OpenAPI checks (kube-openapi's wording, `spec.replicas in body must be of type integer: "string"`),
// then the passes upstream runs after it (embedded resources, list types: extras.ts).

import type { FieldError } from '../../base/errors.js';
import { additionalOf, isPlainObject, itemsOf, jsonTypeName, propsOf, type Schema } from './access.js';
import { needsExtras, walkExtras } from './extras.js';
import { matchesFormat } from './formats.js';
import { normalizeSchema } from './normalize.js';
import { compilePattern } from './pattern.js';
import { jsonEqual } from '../validation/field.js';

/** kube-openapi names paths with dots for fields and map keys and [i] for items. */
const dot = (p: string, k: string): string => (p ? `${p}.${k}` : k);

interface Ctx {
  errs: FieldError[];
  /** Prefix of error fields (e.g. the `…default` of a CRD schema); empty for objects. */
  base: string;
}

const fieldOf = (c: Ctx, p: string): string => (c.base ? (p ? `${c.base}.${p}` : c.base) : p || '<nil>');
const nameOf = (c: Ctx, p: string): string => p || c.base;

function typeErr(c: Ctx, p: string, expected: string, v: unknown): void {
  const t = jsonTypeName(v);
  c.errs.push({
    type: 'FieldValueTypeInvalid',
    field: fieldOf(c, p),
    value: t,
    detail: `${nameOf(c, p)} in body must be of type ${expected}: "${t}"`,
  });
}
function invalid(c: Ctx, p: string, value: unknown, detail: string): void {
  c.errs.push({ type: 'FieldValueInvalid', field: fieldOf(c, p), value, detail: `${nameOf(c, p)} in body ${detail}` });
}

/** The JSON types a schema admits, or undefined when it does not constrain the type. */
function typesOf(s: Schema): string[] | undefined {
  if (s['x-kubernetes-int-or-string']) return ['integer', 'string'];
  return s.type ? [s.type] : undefined;
}

function typeMatches(types: string[], v: unknown): boolean {
  const t = jsonTypeName(v);
  if (types.includes(t)) return true;
  // an integer is a number; a float with an integral value is an integer
  return (t === 'integer' && types.includes('number')) || (t === 'number' && types.includes('integer') && Number.isInteger(v));
}

/** Go's %v of a float64: shortest digits, exponent form below 1e-4 and from 1e6, two-digit exponent. */
function goFloat(n: number): string {
  if (n === 0 || !Number.isFinite(n)) return String(n);
  const [mant = '', e = '0'] = n.toExponential().split('e');
  const exp = Number(e);
  if (exp >= -4 && exp < 6) return String(n);
  return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/**
 * kube-openapi compares an integer value with the bound truncated to an integer (and prints it so),
 * unless the schema is `integer` and the bound is not integral; otherwise as floats.
 */
function bound(s: Schema, v: number, b: number): { b: number; text: string } {
  if (Number.isInteger(v) && (s.type !== 'integer' || Number.isInteger(b))) {
    const t = Math.trunc(b);
    return { b: t, text: String(t) };
  }
  return { b, text: goFloat(b) };
}

function checkNumber(c: Ctx, p: string, s: Schema, v: number): void {
  if (s.multipleOf !== undefined) {
    const { b: f, text } = bound(s, v, s.multipleOf);
    if (f <= 0)
      c.errs.push({
        type: 'FieldValueInvalid',
        field: fieldOf(c, p),
        value: v,
        detail: `factor MultipleOf declared for ${nameOf(c, p)} must be positive: ${text}`,
      });
    else if (!Number.isInteger(f < 1 ? (1 / f) * v : v / f)) invalid(c, p, v, `should be a multiple of ${text}`);
  }
  if (s.maximum !== undefined) {
    const { b: max, text } = bound(s, v, s.maximum);
    const ex = s.exclusiveMaximum === true;
    if (ex ? v >= max : v > max) invalid(c, p, v, `should be less than ${ex ? '' : 'or equal to '}${text}`);
  }
  if (s.minimum !== undefined) {
    const { b: min, text } = bound(s, v, s.minimum);
    const ex = s.exclusiveMinimum === true;
    if (ex ? v <= min : v < min) invalid(c, p, v, `should be greater than ${ex ? '' : 'or equal to '}${text}`);
  }
}

/** The number of code points of `v` (what upstream's lengths count), without building an array of them. */
function runeCount(v: string): number {
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    // a high surrogate followed by a low one is one code point
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < v.length) {
      const d = v.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function checkString(c: Ctx, p: string, s: Schema, v: string): void {
  const runes = s.maxLength !== undefined || s.minLength !== undefined ? runeCount(v) : 0;
  if (s.maxLength !== undefined && runes > s.maxLength) {
    c.errs.push({ type: 'FieldValueTooLong', field: fieldOf(c, p), detail: `may not be more than ${s.maxLength} bytes` });
    return;
  }
  if (s.minLength !== undefined && runes < s.minLength) {
    invalid(c, p, v, `should be at least ${s.minLength} chars long`);
    return;
  }
  if (s.pattern) {
    const re = compilePattern(s.pattern);
    if (re instanceof Error) invalid(c, p, v, `should match '${s.pattern}, but pattern is invalid: ${re.message}'`);
    else if (!re.test(v)) invalid(c, p, v, `should match '${s.pattern}'`);
  }
}

function checkArray(c: Ctx, p: string, s: Schema, v: unknown[]): void {
  if (s.minItems !== undefined && v.length < s.minItems) invalid(c, p, v.length, `should have at least ${s.minItems} items`);
  if (s.maxItems !== undefined && v.length > s.maxItems)
    c.errs.push({ type: 'FieldValueTooMany', field: fieldOf(c, p), value: v.length, detail: `must have at most ${s.maxItems} items` });
  if (s.uniqueItems && v.some((x, i) => v.findIndex((y) => jsonEqual(x, y)) !== i)) invalid(c, p, '', "shouldn't contain duplicates");
  const items = itemsOf(s);
  if (items) v.forEach((x, i) => validateNode(c, `${p}[${i}]`, items, x));
}

function checkObject(c: Ctx, p: string, s: Schema, v: Record<string, unknown>): void {
  const n = Object.keys(v).length;
  if (s.minProperties !== undefined && n < s.minProperties) invalid(c, p, n, `should have at least ${s.minProperties} properties`);
  if (s.maxProperties !== undefined && n > s.maxProperties)
    c.errs.push({ type: 'FieldValueTooMany', field: fieldOf(c, p), value: n, detail: `must have at most ${s.maxProperties} items` });
  const props = propsOf(s);
  const add = additionalOf(s);
  for (const k of Object.keys(v)) {
    if (k in props) validateNode(c, dot(p, k), props[k]!, v[k]);
    else if (add && !add.allows)
      c.errs.push({
        type: 'FieldValueInvalid',
        field: fieldOf(c, p),
        value: k,
        detail: `${nameOf(c, p)}.${k} in body is a forbidden property`,
      });
    else if (add?.schema) validateNode(c, dot(p, k), add.schema, v[k]);
  }
  for (const r of s.required ?? []) if (!(r in v)) c.errs.push({ type: 'FieldValueRequired', field: fieldOf(c, dot(p, r)), detail: '' });
}

function checkEnum(c: Ctx, p: string, s: Schema, v: unknown): void {
  if (!s.enum?.length) return;
  if (s.enum.some((e) => jsonEqual(e, v))) return;
  const valid = s.enum.map((e: unknown) => (typeof e === 'string' ? e : JSON.stringify(e)));
  c.errs.push({
    type: 'FieldValueNotSupported',
    field: fieldOf(c, p),
    value: v,
    detail: `supported values: ${valid.map((x) => JSON.stringify(x)).join(', ')}`,
  });
}

/** Validates without recording, for anyOf/oneOf/not. */
function probe(c: Ctx, p: string, s: Schema, v: unknown): FieldError[] {
  const sub: Ctx = { errs: [], base: c.base };
  validateNode(sub, p, s, v);
  return sub.errs;
}

function checkJunctors(c: Ctx, p: string, s: Schema, v: unknown): void {
  const name = nameOf(c, p) || '';
  if (s.anyOf?.length) {
    const results = s.anyOf.map((x) => probe(c, p, x, v));
    if (!results.some((r) => r.length === 0)) {
      c.errs.push({
        type: 'FieldValueInvalid',
        field: fieldOf(c, ''),
        value: '',
        detail: `"${name}" must validate at least one schema (anyOf)`,
      });
      c.errs.push(...results[0]!);
    }
  }
  if (s.oneOf?.length) {
    const results = s.oneOf.map((x) => probe(c, p, x, v));
    const ok = results.filter((r) => r.length === 0).length;
    if (ok !== 1) {
      const more = ok === 0 ? 'Found none valid' : `Found ${ok} valid alternatives`;
      c.errs.push({
        type: 'FieldValueInvalid',
        field: fieldOf(c, ''),
        value: '',
        detail: `"${name}" must validate one and only one schema (oneOf). ${more}`,
      });
      if (ok === 0) c.errs.push(...results[0]!);
    }
  }
  if (s.allOf?.length) {
    let okCount = 0;
    for (const x of s.allOf) {
      const r = probe(c, p, x, v);
      if (r.length === 0) okCount++;
      c.errs.push(...r);
    }
    if (okCount !== s.allOf.length)
      c.errs.push({
        type: 'FieldValueInvalid',
        field: fieldOf(c, ''),
        value: '',
        detail: `"${name}" must validate all the schemas (allOf)${okCount === 0 ? '. None validated' : ''}`,
      });
  }
  if (s.not && probe(c, p, s.not, v).length === 0)
    c.errs.push({ type: 'FieldValueInvalid', field: fieldOf(c, ''), value: '', detail: `"${name}" must not validate the schema (not)` });
}

function validateNode(c: Ctx, p: string, s: Schema, v: unknown): void {
  const types = typesOf(s);
  if (v === null || v === undefined) {
    if (types && !s.nullable) typeErr(c, p, types.join(','), null);
    return;
  }
  if (types && !typeMatches(types, v)) {
    typeErr(c, p, types.join(','), v);
    return;
  }
  checkJunctors(c, p, s, v);
  if (typeof v === 'string') {
    checkString(c, p, s, v);
    if (s.format && !matchesFormat(s.format, v))
      c.errs.push({
        type: 'FieldValueTypeInvalid',
        field: fieldOf(c, p),
        value: v,
        detail: `${nameOf(c, p)} in body must be of type ${s.format}: "${v}"`,
      });
  } else if (typeof v === 'number') checkNumber(c, p, s, v);
  else if (Array.isArray(v)) checkArray(c, p, s, v);
  checkEnum(c, p, s, v);
  if (isPlainObject(v)) checkObject(c, p, s, v);
}

/** Validates a value under `base` (used for CRD defaults); `root` skips apiVersion/kind/metadata. */
/**
 * The root schema as validated: without apiVersion and kind, and of metadata only the name and
 * generateName restrictions a CRD may declare (`metadata` undefined when it declares none). Made once per
 * schema: every custom object of a version is validated against the same one.
 */
interface RootSchema {
  schema: Schema;
  checksMetadata: boolean;
}
const roots = new WeakMap<Schema, RootSchema>();
function rootSchema(s: Schema): RootSchema {
  let r = roots.get(s);
  if (r) return r;
  const props = { ...propsOf(s) };
  delete props.apiVersion;
  delete props.kind;
  // of metadata, a CRD may only restrict name and generateName; the rest is the server's to check
  const meta = props.metadata;
  delete props.metadata;
  const metaProps: Record<string, Schema> = {};
  for (const k of ['name', 'generateName']) if (meta?.properties?.[k]) metaProps[k] = meta.properties[k];
  const checksMetadata = Object.keys(metaProps).length > 0;
  if (checksMetadata) props.metadata = { type: 'object', properties: metaProps };
  const required = (s.required ?? []).filter((x) => x !== 'metadata' && x !== 'apiVersion' && x !== 'kind');
  r = { schema: { ...s, properties: props, required }, checksMetadata };
  roots.set(s, r);
  return r;
}

export function validateValue(v: unknown, s: Schema, base: string, root: boolean): FieldError[] {
  const c: Ctx = { errs: [], base };
  if (root && isPlainObject(v)) {
    // apiVersion/kind/metadata are the server's business; check the rest of the object
    const r = rootSchema(s);
    const rest: Record<string, unknown> = {};
    for (const k of Object.keys(v)) if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata') rest[k] = v[k];
    if (r.checksMetadata && isPlainObject(v.metadata)) rest.metadata = v.metadata;
    validateNode(c, '', r.schema, rest);
  } else validateNode(c, '', s, v);
  if (needsExtras(s)) walkExtras(base, s, v, c.errs, root);
  return c.errs;
}

/**
 * A custom object's values against its schema. apiVersion, kind and metadata are the server's to check,
 * except the name/generateName restrictions a CRD may declare.
 */
export function validateAgainstSchema(obj: Record<string, unknown>, schema: Schema): FieldError[] {
  return validateValue(obj, normalizeSchema(schema), '', true);
}
