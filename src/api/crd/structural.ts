// The structural-schema rules of CRDs (upstream's ValidateStructural): every field's type is given outside
// anyOf/allOf/oneOf/not, those junctors only restrict values of fields specified structurally, the two
// int-or-string forms, embedded resources, and what the root may say about metadata. Plus the check that
// every default is pruned and valid against its own schema. Errors sort by their text, as upstream's do.

import { fieldErrorText, type FieldError } from '../../base/errors.js';
import { additionalOf, child, copyJson, itemsOf, key, propsOf, type Schema } from './access.js';
import { compilePattern } from './pattern.js';
import { pruneValue } from './prune.js';
import { jsonEqual } from '../validation/field.js';
import { validateValue } from './values.js';

type Level = 'root' | 'item' | 'field';

const req = (field: string, detail: string): FieldError => ({ type: 'FieldValueRequired', field, detail });
const forbid = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });
const inv = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail });

const onlyType = (s: Schema | undefined, t: string): boolean => s !== undefined && Object.keys(s).length === 1 && s.type === t;
const intOrStringAnyOf = (anyOf: Schema[] | undefined): boolean =>
  anyOf !== undefined && anyOf.length === 2 && onlyType(anyOf[0], 'integer') && onlyType(anyOf[1], 'string');

function checkPattern(s: Schema, p: string, errs: FieldError[]): void {
  if (!s.pattern) return;
  const re = compilePattern(s.pattern);
  if (re instanceof Error) errs.push(inv(child(p, 'pattern'), s.pattern, `must be a valid regular expression, but isn't: ${re.message}`));
}

/** The junctors of a node; the int-or-string forms' own anyOf is exempt from the nested rules. */
function junctors(s: Schema, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, p: string, errs: FieldError[]): void {
  if (!skipAnyOf) s.anyOf?.forEach((x, i) => nested(x, false, key(child(p, 'anyOf'), i), errs));
  s.allOf?.forEach((x, i) => nested(x, skipFirstAllOfAnyOf && i === 0, key(child(p, 'allOf'), i), errs));
  s.oneOf?.forEach((x, i) => nested(x, false, key(child(p, 'oneOf'), i), errs));
  if (s.not) nested(s.not, false, child(p, 'not'), errs);
  checkPattern(s, p, errs);
}

/** A schema inside a junctor: value restrictions only. */
function nested(v: Schema, skipAnyOf: boolean, p: string, errs: FieldError[]): void {
  junctors(v, skipAnyOf, false, p, errs);
  const items = itemsOf(v);
  if (items) nested(items, false, child(p, 'items'), errs);
  for (const k of Object.keys(propsOf(v)).sort()) nested(propsOf(v)[k]!, false, key(child(p, 'properties'), k), errs);
  if (v.type) errs.push(forbid(child(p, 'type'), 'must be empty to be structural'));
  if (additionalOf(v)?.allows) errs.push(forbid(child(p, 'additionalProperties'), 'must be undefined to be structural'));
  if (v.default !== undefined && v.default !== null) errs.push(forbid(child(p, 'default'), 'must be undefined to be structural'));
  if (v.title) errs.push(forbid(child(p, 'title'), 'must be empty to be structural'));
  if (v.description) errs.push(forbid(child(p, 'description'), 'must be empty to be structural'));
  if (v.nullable) errs.push(forbid(child(p, 'nullable'), 'must be false to be structural'));
  if (v['x-kubernetes-preserve-unknown-fields'])
    errs.push(forbid(child(p, 'x-kubernetes-preserve-unknown-fields'), 'must be false to be structural'));
  if (v['x-kubernetes-embedded-resource']) errs.push(forbid(child(p, 'x-kubernetes-embedded-resource'), 'must be false to be structural'));
  if (v['x-kubernetes-int-or-string']) errs.push(forbid(child(p, 'x-kubernetes-int-or-string'), 'must be false to be structural'));
  if (v['x-kubernetes-list-map-keys']?.length) errs.push(forbid(child(p, 'x-kubernetes-list-map-keys'), 'must be empty to be structural'));
  if (v['x-kubernetes-list-type'] !== undefined)
    errs.push(forbid(child(p, 'x-kubernetes-list-type'), 'must be undefined to be structural'));
  if (v['x-kubernetes-map-type'] !== undefined) errs.push(forbid(child(p, 'x-kubernetes-map-type'), 'must be undefined to be structural'));
  if (v['x-kubernetes-validations']?.length) errs.push(forbid(child(p, 'x-kubernetes-validations'), 'must be empty to be structural'));
  if ('metadata' in propsOf(v)) errs.push(forbid(key(child(p, 'properties'), 'metadata'), 'must not be specified in a nested context'));
}

function metadataInvariants(m: Schema, checkMeta: boolean, level: Level, p: string, errs: FieldError[]): void {
  if (checkMeta && m.type !== 'object') errs.push(inv(child(p, 'type'), m.type ?? '', 'must be object'));
  if (level !== 'root') return;
  // only name and generateName may be restricted; anything else about metadata is the server's
  const props = Object.keys(propsOf(m));
  const onlyNames = props.every((k) => k === 'name' || k === 'generateName');
  const rest = Object.keys(m).filter((k) => k !== 'type' && k !== 'default' && !(k === 'properties' && onlyNames));
  if (rest.length) errs.push(forbid(p, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
}

function invariants(s: Schema, level: Level, p: string, errs: FieldError[]): void {
  const items = itemsOf(s);
  if (s.type === 'array' && !items) errs.push(req(child(p, 'items'), 'must be specified'));
  if (items) invariants(items, 'item', child(p, 'items'), errs);
  for (const k of Object.keys(propsOf(s)).sort()) invariants(propsOf(s)[k]!, 'field', key(child(p, 'properties'), k), errs);
  const add = additionalOf(s);
  if (add) {
    if (level === 'root') errs.push(forbid(child(p, 'additionalProperties'), 'must not be used at the root'));
    if (add.schema) invariants(add.schema, 'field', child(p, 'additionalProperties'), errs);
  }
  const ios = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (ios && preserve)
    errs.push(inv(child(p, 'x-kubernetes-preserve-unknown-fields'), true, 'must be false if x-kubernetes-int-or-string is true'));
  if (ios && embedded)
    errs.push(inv(child(p, 'x-kubernetes-embedded-resource'), true, 'must be false if x-kubernetes-int-or-string is true'));
  junctors(s, intOrStringAnyOf(s.anyOf), intOrStringAnyOf(s.allOf?.[0]?.anyOf), p, errs);

  const checkMeta = level === 'root' || embedded;
  if (embedded && s.type !== 'object') {
    const d = 'must be object if x-kubernetes-embedded-resource is true';
    errs.push(s.type ? inv(child(p, 'type'), s.type, d) : req(child(p, 'type'), d));
  } else if (!s.type && !ios && !preserve) {
    const d = {
      root: 'must not be empty at the root',
      item: 'must not be empty for specified array items',
      field: 'must not be empty for specified object fields',
    };
    errs.push(req(child(p, 'type'), d[level]));
  }
  if (embedded && add) errs.push(forbid(child(p, 'additionalProperties'), 'must not be used if x-kubernetes-embedded-resource is set'));
  if (level === 'root' && s.type && s.type !== 'object') errs.push(inv(child(p, 'type'), s.type, 'must be object at the root'));
  const props = propsOf(s);
  if (checkMeta && props.kind && props.kind.type !== 'string')
    errs.push(inv(child(key(child(p, 'properties'), 'kind'), 'type'), props.kind.type ?? '', 'must be string'));
  if (checkMeta && props.apiVersion && props.apiVersion.type !== 'string')
    errs.push(inv(child(key(child(p, 'properties'), 'apiVersion'), 'type'), props.apiVersion.type ?? '', 'must be string'));
  if (props.metadata) metadataInvariants(props.metadata, checkMeta, level, key(child(p, 'properties'), 'metadata'), errs);
  if (embedded && !preserve && Object.keys(props).length === 0)
    errs.push(
      req(
        child(p, 'properties'),
        'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields',
      ),
    );
}

/** Properties and items restricted inside junctors must be specified structurally at the same place. */
function completeness(v: Schema, s: Schema | undefined, sPath: string, vPath: string, errs: FieldError[]): void {
  if (!s) {
    errs.push(req(sPath, `because it is defined in ${vPath}`));
    return;
  }
  if (v.not) completeness(v.not, s, sPath, child(vPath, 'not'), errs);
  v.allOf?.forEach((x, i) => completeness(x, s, sPath, key(child(vPath, 'allOf'), i), errs));
  v.anyOf?.forEach((x, i) => completeness(x, s, sPath, key(child(vPath, 'anyOf'), i), errs));
  v.oneOf?.forEach((x, i) => completeness(x, s, sPath, key(child(vPath, 'oneOf'), i), errs));
  const vi = itemsOf(v);
  if (vi) completeness(vi, itemsOf(s), child(sPath, 'items'), child(vPath, 'items'), errs);
  for (const k of Object.keys(propsOf(v)).sort()) {
    const sp = key(child(sPath, 'properties'), k);
    const vp = key(child(vPath, 'properties'), k);
    const sf = propsOf(s)[k];
    if (!sf) errs.push(req(sp, `because it is defined in ${vp}`));
    else completeness(propsOf(v)[k]!, sf, sp, vp, errs);
  }
}

function rootCompleteness(s: Schema, p: string, errs: FieldError[]): void {
  if (s.not) completeness(s.not, s, p, child(p, 'not'), errs);
  s.allOf?.forEach((x, i) => completeness(x, s, p, key(child(p, 'allOf'), i), errs));
  s.anyOf?.forEach((x, i) => completeness(x, s, p, key(child(p, 'anyOf'), i), errs));
  s.oneOf?.forEach((x, i) => completeness(x, s, p, key(child(p, 'oneOf'), i), errs));
}

/** ValidateStructural: invariants and completeness, sorted by message. */
export function structuralErrors(s: Schema, p: string): FieldError[] {
  const errs: FieldError[] = [];
  invariants(s, 'root', p, errs);
  rootCompleteness(s, p, errs);
  return errs.sort((a, b) => (fieldErrorText(a) < fieldErrorText(b) ? -1 : fieldErrorText(a) > fieldErrorText(b) ? 1 : 0));
}

/** Every default must survive pruning unchanged and validate against the schema it sits in. */
export function defaultErrors(s: Schema, p: string, resourceRoot: boolean, insideMeta: boolean, errs: FieldError[]): void {
  const embedded = resourceRoot || s['x-kubernetes-embedded-resource'] === true;
  if (embedded) insideMeta = false;
  if (s.default !== undefined && s.default !== null) {
    const dp = child(p, 'default');
    if (!insideMeta) {
      const pruned = copyJson(s.default);
      pruneValue(pruned, s, embedded);
      if (!jsonEqual(pruned, s.default)) errs.push(inv(dp, s.default, 'must not have unknown fields'));
    }
    errs.push(...validateValue(s.default, embedded ? { ...s, 'x-kubernetes-embedded-resource': true } : s, dp, false));
  }
  const items = itemsOf(s);
  if (items) defaultErrors(items, child(p, 'items'), false, insideMeta, errs);
  for (const k of Object.keys(propsOf(s)).sort()) {
    const sub = insideMeta || (embedded && (k === 'metadata' || k === 'apiVersion' || k === 'kind'));
    defaultErrors(propsOf(s)[k]!, key(child(p, 'properties'), k), false, sub, errs);
  }
}
