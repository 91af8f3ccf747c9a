// PROVISIONAL stand-in for the CRD schema module (another helper writes the real one): the contract's
// signatures with just enough behaviour for the serving side's tests. Replaced whole at merge.

import type { JSONSchemaProps } from '../gen/types.js';
import type { Definition, DefinitionMap, FieldDef, GVK, TypeRef } from '../schema/types.js';
import type { FieldError } from '../../base/errors.js';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const TYPES = ['object', 'array', 'string', 'integer', 'number', 'boolean'];

/** A CRD version's openAPIV3Schema: structural rules, defaults valid against their schema, supported keywords. */
export function validateCrdSchema(schema: JSONSchemaProps, fieldPath: string): FieldError[] {
  const errs: FieldError[] = [];
  const walk = (s: JSONSchemaProps, path: string, root: boolean) => {
    const anyType = s['x-kubernetes-preserve-unknown-fields'] === true || s['x-kubernetes-int-or-string'] === true;
    if (s.type === undefined && !anyType)
      errs.push({ type: 'FieldValueRequired', field: `${path}.type`, detail: 'must not be empty for specified object fields' });
    else if (s.type !== undefined && !TYPES.includes(s.type))
      errs.push({
        type: 'FieldValueNotSupported',
        field: `${path}.type`,
        value: s.type,
        detail: `supported values: ${TYPES.map((t) => `"${t}"`).join(', ')}`,
      });
    if (root && s.type !== undefined && s.type !== 'object')
      errs.push({ type: 'FieldValueInvalid', field: `${path}.type`, value: s.type, detail: 'must be object at the root' });
    for (const [k, p] of Object.entries(s.properties ?? {})) walk(p, `${path}.properties[${k}]`, false);
    if (isRec(s.items)) walk(s.items as JSONSchemaProps, `${path}.items`, false);
  };
  walk(schema, fieldPath, true);
  return errs;
}

/** A custom object's values against the schema (types, required, enum, minimum: a subset). */
export function validateAgainstSchema(obj: Rec, schema: JSONSchemaProps): FieldError[] {
  const errs: FieldError[] = [];
  const walk = (v: unknown, s: JSONSchemaProps, path: string) => {
    if (v === null && s.nullable) return;
    const t = s.type;
    const bad = (what: string) => errs.push({ type: 'FieldValueTypeInvalid', field: path, value: v, detail: `must be of type ${what}` });
    if (s['x-kubernetes-int-or-string'] && (typeof v === 'string' || Number.isInteger(v))) return;
    if (t === 'object') {
      if (!isRec(v)) return bad('object');
      for (const r of s.required ?? [])
        if (v[r] === undefined) errs.push({ type: 'FieldValueRequired', field: path ? `${path}.${r}` : r, detail: '' });
      for (const [k, p] of Object.entries(s.properties ?? {})) if (v[k] !== undefined) walk(v[k], p, path ? `${path}.${k}` : k);
      if (isRec(s.additionalProperties))
        for (const [k, x] of Object.entries(v)) walk(x, s.additionalProperties as JSONSchemaProps, `${path}[${k}]`);
    } else if (t === 'array') {
      if (!Array.isArray(v)) return bad('array');
      if (isRec(s.items)) v.forEach((x, i) => walk(x, s.items as JSONSchemaProps, `${path}[${i}]`));
    } else if (t === 'string') {
      if (typeof v !== 'string') return bad('string');
      if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v))
        errs.push({ type: 'FieldValueInvalid', field: path, value: v, detail: `should match '${s.pattern}'` });
    } else if (t === 'integer') {
      if (!Number.isInteger(v)) return bad('integer');
    } else if (t === 'number') {
      if (typeof v !== 'number') return bad('number');
    } else if (t === 'boolean' && typeof v !== 'boolean') return bad('boolean');
    if (typeof v === 'number' && s.minimum !== undefined && v < s.minimum)
      errs.push({ type: 'FieldValueInvalid', field: path, value: v, detail: `should be greater than or equal to ${s.minimum}` });
    if (typeof v === 'number' && s.maximum !== undefined && v > s.maximum)
      errs.push({ type: 'FieldValueInvalid', field: path, value: v, detail: `should be less than or equal to ${s.maximum}` });
    if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v)))
      errs.push({
        type: 'FieldValueNotSupported',
        field: path,
        value: v,
        detail: `supported values: ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`,
      });
  };
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = obj;
  const props = { ...schema.properties };
  delete props['metadata'];
  delete props['apiVersion'];
  delete props['kind'];
  walk(
    rest,
    { ...schema, properties: props, required: (schema.required ?? []).filter((r) => !['metadata', 'apiVersion', 'kind'].includes(r)) },
    '',
  );
  return errs;
}

/** Drops fields the schema does not know, in place; returns the dropped paths. */
export function pruneUnknownFields(obj: Rec, schema: JSONSchemaProps): string[] {
  const dropped: string[] = [];
  const walk = (v: unknown, s: JSONSchemaProps, path: string, root: boolean) => {
    if (s['x-kubernetes-preserve-unknown-fields']) return;
    if (isRec(v) && s.type === 'object') {
      if (isRec(s.additionalProperties)) {
        for (const [k, x] of Object.entries(v)) walk(x, s.additionalProperties as JSONSchemaProps, `${path}[${k}]`, false);
        return;
      }
      for (const k of Object.keys(v)) {
        if (root && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) continue;
        const p = s.properties?.[k];
        if (!p) {
          delete v[k];
          dropped.push(path ? `${path}.${k}` : k);
        } else walk(v[k], p, path ? `${path}.${k}` : k, false);
      }
    } else if (Array.isArray(v) && isRec(s.items)) v.forEach((x, i) => walk(x, s.items as JSONSchemaProps, `${path}[${i}]`, false));
  };
  walk(obj, schema, '', true);
  return dropped;
}

/** Fills `default`s in place (object properties only in this stand-in). */
export function applySchemaDefaults(obj: Rec, schema: JSONSchemaProps): void {
  const walk = (v: unknown, s: JSONSchemaProps) => {
    if (isRec(v)) {
      for (const [k, p] of Object.entries(s.properties ?? {})) {
        if (v[k] === undefined && p.default !== undefined) v[k] = structuredClone(p.default);
        if (v[k] !== undefined) walk(v[k], p);
      }
    } else if (Array.isArray(v) && isRec(s.items)) for (const x of v) walk(x, s.items as JSONSchemaProps);
  };
  walk(obj, schema);
}

/** The schema as structural definitions: `rootName` for the kind, nested objects named `<parent>.<field>`. */
export function toDefinitions(schema: JSONSchemaProps, rootName: string, gvk: GVK): DefinitionMap {
  const out: Record<string, Definition> = {};
  const typeOf = (s: JSONSchemaProps, name: string): TypeRef => {
    if (s['x-kubernetes-int-or-string']) return { kind: 'prim', type: 'string', format: 'int-or-string' };
    switch (s.type) {
      case 'object':
        if (isRec(s.additionalProperties))
          return { kind: 'map', values: typeOf(s.additionalProperties as JSONSchemaProps, `${name}.value`) };
        if (!s.properties && s['x-kubernetes-preserve-unknown-fields']) return { kind: 'any' };
        define(s, name);
        return { kind: 'ref', ref: name };
      case 'array':
        return { kind: 'array', items: isRec(s.items) ? typeOf(s.items as JSONSchemaProps, `${name}.item`) : { kind: 'any' } };
      case 'string':
      case 'integer':
      case 'number':
      case 'boolean':
        return { kind: 'prim', type: s.type, ...(s.format ? { format: s.format } : {}) };
      default:
        return { kind: 'any' };
    }
  };
  const define = (s: JSONSchemaProps, name: string, top?: GVK) => {
    const fields: Record<string, FieldDef> = {};
    for (const [k, p] of Object.entries(s.properties ?? {})) {
      const f: FieldDef = { type: typeOf(p, `${name}.${k}`) };
      const lt = p['x-kubernetes-list-type'];
      if (lt === 'atomic' || lt === 'set' || lt === 'map') f.listType = lt;
      if (p['x-kubernetes-list-map-keys']) f.listMapKeys = p['x-kubernetes-list-map-keys'];
      fields[k] = f;
    }
    if (top) {
      fields['apiVersion'] = { type: { kind: 'prim', type: 'string' } };
      fields['kind'] = { type: { kind: 'prim', type: 'string' } };
      fields['metadata'] = { type: { kind: 'ref', ref: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' } };
    }
    out[name] = {
      kind: 'object',
      fields,
      ...(s.required?.length ? { required: s.required } : {}),
      ...(top ? { gvk: [top] } : {}),
      ...(s['x-kubernetes-preserve-unknown-fields'] ? { preserveUnknownFields: true } : {}),
    };
  };
  define(schema, rootName, gvk);
  return out;
}
