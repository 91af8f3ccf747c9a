// Which OpenAPI keywords and Kubernetes extensions a CRD schema may use, and how list/map types must be
// declared: upstream's ValidateCustomResourceDefinitionOpenAPISchema (and its spec-standard validator),
// with the same field paths and messages. Structural rules live in structural.ts.

import type { FieldError } from '../../base/errors.js';
import { additionalOf, child, hasDefault, itemsOf, key, propsOf, type Schema } from './access.js';

const V3_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const META_FIELDS = new Set(['metadata', 'kind', 'apiVersion']);
const RULE_REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];

interface Scope {
  allowDefaults: boolean;
  reason: string;
  insideMeta: boolean;
}

const req = (field: string, detail: string): FieldError => ({ type: 'FieldValueRequired', field, detail });
const forbid = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });
const inv = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail });
const notSup = (field: string, value: unknown, valid: string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  value,
  detail: `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}`,
});

function standard(s: Schema, p: string, sc: Scope, errs: FieldError[]): void {
  if (s.type && !V3_TYPES.includes(s.type)) errs.push(notSup(child(p, 'type'), s.type, V3_TYPES));
  if (s.default !== undefined && !sc.allowDefaults)
    errs.push(forbid(child(p, 'default'), sc.reason ? `must not be set ${sc.reason}` : 'must not be set'));
  if (s.id) errs.push(forbid(child(p, 'id'), 'id is not supported'));
  if (s.additionalItems !== undefined) errs.push(forbid(child(p, 'additionalItems'), 'additionalItems is not supported'));
  if (s.patternProperties && Object.keys(s.patternProperties).length)
    errs.push(forbid(child(p, 'patternProperties'), 'patternProperties is not supported'));
  if (s.definitions && Object.keys(s.definitions).length) errs.push(forbid(child(p, 'definitions'), 'definitions is not supported'));
  if (s.dependencies !== undefined) errs.push(forbid(child(p, 'dependencies'), 'dependencies is not supported'));
  if (s.$ref !== undefined) errs.push(forbid(child(p, '$ref'), '$ref is not supported'));
  if (s.type === 'null') errs.push(forbid(child(p, 'type'), 'type cannot be set to null, use nullable as an alternative'));
  if (Array.isArray(s.items) && s.items.length) errs.push(forbid(child(p, 'items'), 'items must be a schema object and not an array'));
  if (sc.insideMeta && s['x-kubernetes-embedded-resource'])
    errs.push(forbid(child(p, 'x-kubernetes-embedded-resource'), 'must not be used inside of resource meta'));
}

function listAndMapTypes(s: Schema, p: string, errs: FieldError[]): void {
  const mapType = s['x-kubernetes-map-type'];
  const listType = s['x-kubernetes-list-type'];
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  const items = itemsOf(s);
  if (s['x-kubernetes-preserve-unknown-fields'] === false)
    errs.push(inv(child(p, 'x-kubernetes-preserve-unknown-fields'), false, 'must be true or undefined'));
  if (mapType !== undefined && s.type !== 'object') {
    const d = 'must be object if x-kubernetes-map-type is specified';
    errs.push(s.type ? inv(child(p, 'type'), s.type, d) : req(child(p, 'type'), d));
  }
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular')
    errs.push(notSup(child(p, 'x-kubernetes-map-type'), mapType, ['atomic', 'granular']));
  if (listType !== undefined && s.type !== 'array') {
    const d = 'must be array if x-kubernetes-list-type is specified';
    errs.push(s.type ? inv(child(p, 'type'), s.type, d) : req(child(p, 'type'), d));
  } else if (listType === 'set' && items) {
    const msg = 'must be atomic as item of a list with x-kubernetes-list-type=set';
    if (items.type === 'array' && items['x-kubernetes-list-type'] !== undefined && items['x-kubernetes-list-type'] !== 'atomic')
      errs.push(inv(child(child(p, 'items'), 'x-kubernetes-list-type'), items['x-kubernetes-list-type'], msg));
    if (items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic')
      errs.push(inv(child(child(p, 'items'), 'x-kubernetes-map-type'), items['x-kubernetes-map-type'] ?? null, msg));
  }
  if (listType !== undefined && listType !== 'atomic' && listType !== 'set' && listType !== 'map')
    errs.push(notSup(child(p, 'x-kubernetes-list-type'), listType, ['atomic', 'set', 'map']));
  if (keys.length) {
    const d = 'must be map if x-kubernetes-list-map-keys is non-empty';
    if (listType === undefined) errs.push(req(child(p, 'x-kubernetes-list-type'), d));
    else if (listType !== 'map') errs.push(inv(child(p, 'x-kubernetes-list-type'), listType, d));
  }
  if (listType === 'map') {
    if (!keys.length) errs.push(req(child(p, 'x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
    if (s.items === undefined) errs.push(req(child(p, 'items'), 'must have a schema if x-kubernetes-list-type is map'));
    else if (!items) errs.push(inv(child(p, 'items'), s.items, 'must only have a single schema if x-kubernetes-list-type is map'));
    else if (items.type !== 'object')
      errs.push(inv(child(child(p, 'items'), 'type'), items.type ?? '', "must be object if parent array's x-kubernetes-list-type is map"));
    else {
      const seen = new Set<string>();
      const itemProps = propsOf(items);
      for (const k of keys) {
        const ks = itemProps[k];
        if (!ks) errs.push(inv(child(p, 'x-kubernetes-list-map-keys'), keys, 'entries must all be names of item properties'));
        else if (ks.type === 'array' || ks.type === 'object')
          errs.push(
            inv(
              child(key(child(child(p, 'items'), 'properties'), k), 'type'),
              items.type,
              "must be a scalar type if parent array's x-kubernetes-list-type is map",
            ),
          );
        if (seen.has(k)) errs.push(inv(child(p, 'x-kubernetes-list-map-keys'), keys, 'must not contain duplicate entries'));
        seen.add(k);
      }
    }
  }
  // set and map lists: items and keys must always be present on the wire for SSA to identify elements
  if (items && (listType === 'set' || listType === 'map')) {
    if (items.nullable)
      errs.push(forbid(child(child(p, 'items'), 'nullable'), `cannot be nullable when x-kubernetes-list-type is ${listType}`));
    if (listType === 'map') {
      const required = new Set(items.required ?? []);
      for (const k of keys) {
        const ks = propsOf(items)[k];
        if (!ks) continue;
        const kp = key(child(child(p, 'items'), 'properties'), k);
        if (!required.has(k) && !hasDefault(ks))
          errs.push(
            req(
              child(kp, 'default'),
              'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property',
            ),
          );
        if (ks.nullable)
          errs.push(forbid(child(kp, 'nullable'), 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
      }
    }
  }
}

function validationRules(s: Schema, p: string, errs: FieldError[]): void {
  (s['x-kubernetes-validations'] ?? []).forEach((r, i) => {
    const rp = key(child(p, 'x-kubernetes-validations'), i);
    const rule = (r.rule ?? '').trim();
    const msg = (r.message ?? '').trim();
    if (!rule) errs.push(req(child(rp, 'rule'), 'rule is not specified'));
    else if (r.message && !msg) errs.push(inv(child(rp, 'message'), r.message, 'message must be non-empty if specified'));
    else if (/[\n\r]/.test(msg)) errs.push(inv(child(rp, 'message'), r.message, 'message must not contain line breaks'));
    else if (/[\n\r]/.test(rule) && !msg) errs.push(req(child(rp, 'message'), 'message must be specified if rule contains line breaks'));
    if (r.messageExpression && !r.messageExpression.trim())
      errs.push(req(child(rp, 'messageExpression'), 'messageExpression must be non-empty if specified'));
    if (r.reason !== undefined && !RULE_REASONS.includes(r.reason)) errs.push(notSup(child(rp, 'reason'), r.reason, RULE_REASONS));
    if (r.fieldPath && !r.fieldPath.trim()) errs.push(inv(child(rp, 'fieldPath'), r.fieldPath, 'fieldPath must be non-empty if specified'));
    if (r.fieldPath && /[\n\r]/.test(r.fieldPath))
      errs.push(inv(child(rp, 'fieldPath'), r.fieldPath, 'fieldPath must not contain line breaks'));
  });
}

/** Keyword and extension rules for one schema node and everything below it. */
export function checkKeywords(s: Schema, p: string, sc: Scope, isRoot: boolean, errs: FieldError[]): void {
  standard(s, p, sc, errs);
  if (s.uniqueItems)
    errs.push(forbid(child(p, 'uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  const add = additionalOf(s);
  if (add) {
    if (Object.keys(propsOf(s)).length && (!add.allows || add.schema))
      errs.push(forbid(child(p, 'additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
    if (add.schema) {
      const sub = sc.insideMeta ? { ...sc, allowDefaults: false, reason: 'inside additionalProperties applying to object metadata' } : sc;
      checkKeywords(add.schema, child(p, 'additionalProperties'), sub, false, errs);
    }
  }
  for (const k of Object.keys(propsOf(s)).sort()) {
    let sub = sc;
    if ((isRoot || s['x-kubernetes-embedded-resource']) && META_FIELDS.has(k)) {
      sub = { ...sub, insideMeta: true };
      if (isRoot) sub = { ...sub, allowDefaults: false, reason: `in top-level ${k}` };
    }
    checkKeywords(propsOf(s)[k]!, key(child(p, 'properties'), k), sub, false, errs);
  }
  if (s.not) checkKeywords(s.not, child(p, 'not'), sc, false, errs);
  s.allOf?.forEach((x, i) => checkKeywords(x, key(child(p, 'allOf'), i), sc, false, errs));
  s.oneOf?.forEach((x, i) => checkKeywords(x, key(child(p, 'oneOf'), i), sc, false, errs));
  s.anyOf?.forEach((x, i) => checkKeywords(x, key(child(p, 'anyOf'), i), sc, false, errs));
  const items = itemsOf(s);
  if (items) checkKeywords(items, child(p, 'items'), sc, false, errs);
  else if (Array.isArray(s.items)) (s.items as Schema[]).forEach((x, i) => checkKeywords(x, key(child(p, 'items'), i), sc, false, errs));
  listAndMapTypes(s, p, errs);
  validationRules(s, p, errs);
}

/** Keywords upstream cannot even turn into a structural schema; when present, structural checks are skipped. */
export function unconvertible(s: Schema): boolean {
  if (s.id || s.$schema || s.$ref !== undefined || s.additionalItems !== undefined || s.dependencies !== undefined) return true;
  if (s.patternProperties && Object.keys(s.patternProperties).length) return true;
  if (s.definitions && Object.keys(s.definitions).length) return true;
  if (Array.isArray(s.items)) return true;
  const subs: Schema[] = [...Object.values(propsOf(s)), ...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])];
  if (s.not) subs.push(s.not);
  const items = itemsOf(s);
  if (items) subs.push(items);
  const add = additionalOf(s)?.schema;
  if (add) subs.push(add);
  return subs.some(unconvertible);
}
