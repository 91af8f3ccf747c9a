// Structural checking of a decoded object against its definition: unknown fields (for fieldValidation
// Strict/Warn) and JSON type mismatches (what upstream's typed decoding rejects). Runs on every write, so
// definitions are compiled once into small node graphs and the walk allocates only when it reports.

import type { FieldError } from '../../base/errors.js';
import { schemaRegistry, type SchemaRegistry } from './registry.js';
import type { TypeRef } from './types.js';

export type FieldValidationMode = 'Strict' | 'Warn' | 'Ignore';

export interface CheckResult {
  /** Dotted paths of fields the schema does not know, e.g. `spec.template.spec.containers[0].foo`. */
  unknown: string[];
  typeErrors: FieldError[];
}

export interface CheckOptions {
  /** Delete unknown fields from `obj` in place (they are still reported unless the mode is Ignore). */
  prune?: boolean;
  registry?: SchemaRegistry;
}

const enum K {
  Any,
  Str,
  Byte,
  DateTime,
  Int,
  Int32,
  Num,
  Bool,
  IntOrStr,
  Quantity,
  Obj,
  Arr,
  Map,
}

interface Node {
  k: K;
  fields?: Map<string, Node>;
  preserve?: boolean;
  item?: Node;
}

const ANY: Node = { k: K.Any };
const LEAVES: Record<number, Node> = {};
const leaf = (k: K): Node => (LEAVES[k] ??= { k });

const caches = new WeakMap<SchemaRegistry, Map<string, Node>>();

function compile(t: TypeRef, reg: SchemaRegistry, cache: Map<string, Node>): Node {
  switch (t.kind) {
    case 'any':
      return ANY;
    case 'array':
      return { k: K.Arr, item: compile(t.items, reg, cache) };
    case 'map':
      return { k: K.Map, item: compile(t.values, reg, cache) };
    case 'prim':
      if (t.format === 'int-or-string') return leaf(K.IntOrStr);
      switch (t.type) {
        case 'string':
          return leaf(t.format === 'byte' ? K.Byte : t.format === 'date-time' ? K.DateTime : K.Str);
        case 'integer':
          return leaf(t.format === 'int32' ? K.Int32 : K.Int);
        case 'number':
          return leaf(K.Num);
        case 'boolean':
          return leaf(K.Bool);
      }
      return ANY;
    case 'ref': {
      const hit = cache.get(t.ref);
      if (hit) return hit;
      const d = reg.getDefinition(t.ref);
      if (!d) return ANY;
      if (d.kind === 'scalar') {
        let n: Node;
        if (d.oneOf?.includes('number') && d.oneOf.includes('string')) n = leaf(K.Quantity);
        else if (d.oneOf?.includes('integer') && d.oneOf.includes('string')) n = leaf(K.IntOrStr);
        else n = compile(d.type, reg, cache);
        cache.set(t.ref, n);
        return n;
      }
      const fields = new Map<string, Node>();
      const n: Node = { k: K.Obj, fields, preserve: d.preserveUnknownFields === true };
      cache.set(t.ref, n); // before the fields: definitions may be recursive
      for (const [name, f] of Object.entries(d.fields)) fields.set(name, compile(f.type, reg, cache));
      return n;
    }
  }
}

function rootNode(defName: string, reg: SchemaRegistry): Node {
  let cache = caches.get(reg);
  if (!cache) {
    cache = new Map();
    caches.set(reg, cache);
  }
  return compile({ kind: 'ref', ref: defName }, reg, cache);
}

const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const TOP_LEVEL = new Set(['apiVersion', 'kind', 'metadata']);

type Seg = string | number;
function pathText(path: readonly Seg[], last?: string): string {
  let s = '';
  // numbers are list indexes; strings starting with `[` are map keys already bracketed
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s && p.charCodeAt(0) !== 91 ? `.${p}` : p;
  if (last !== undefined) s += s ? `.${last}` : last;
  return s;
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

interface State {
  unknown: string[] | null;
  errs: FieldError[];
  prune: boolean;
  path: Seg[];
}

function typeError(st: State, v: unknown, expected: string): void {
  const field = pathText(st.path);
  const e: FieldError = { type: 'FieldValueTypeInvalid', field, detail: `${field} in body must be of type ${expected}: "${jsonType(v)}"` };
  if (v === null || typeof v !== 'object') e.value = v;
  st.errs.push(e);
}

function invalid(st: State, v: unknown, detail: string): void {
  st.errs.push({ type: 'FieldValueInvalid', field: pathText(st.path), value: v, detail });
}

function walk(n: Node, v: unknown, st: State, root: boolean): void {
  if (v === null || v === undefined) return;
  switch (n.k) {
    case K.Any:
      return;
    case K.Str:
      if (typeof v !== 'string') typeError(st, v, 'string');
      return;
    case K.Byte:
      if (typeof v !== 'string') typeError(st, v, 'string');
      else if (v.length % 4 !== 0 || !BASE64.test(v)) invalid(st, v, 'illegal base64 data');
      return;
    case K.DateTime:
      if (typeof v !== 'string') typeError(st, v, 'string');
      else if (!DATE_TIME.test(v)) invalid(st, v, `${pathText(st.path)} in body must be of type date-time: "${v}"`);
      return;
    case K.Int:
      if (typeof v !== 'number' || !Number.isInteger(v)) typeError(st, v, 'integer');
      return;
    case K.Int32:
      if (typeof v !== 'number' || !Number.isInteger(v)) typeError(st, v, 'integer');
      else if (v > 2147483647 || v < -2147483648) invalid(st, v, 'must fit in a 32-bit signed integer');
      return;
    case K.Num:
      if (typeof v !== 'number') typeError(st, v, 'number');
      return;
    case K.Bool:
      if (typeof v !== 'boolean') typeError(st, v, 'boolean');
      return;
    case K.IntOrStr:
      if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v))) typeError(st, v, 'integer or string');
      return;
    case K.Quantity:
      if (typeof v === 'number') return;
      if (typeof v !== 'string') typeError(st, v, 'string or number');
      else if (!QUANTITY.test(v))
        invalid(st, v, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
      return;
    case K.Arr: {
      if (!Array.isArray(v)) {
        typeError(st, v, 'array');
        return;
      }
      const item = n.item ?? ANY;
      if (item.k === K.Any) return;
      const path = st.path;
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        walk(item, v[i], st, false);
        path.pop();
      }
      return;
    }
    case K.Map: {
      if (typeof v !== 'object' || Array.isArray(v)) {
        typeError(st, v, 'object');
        return;
      }
      const item = n.item ?? ANY;
      if (item.k === K.Any) return;
      const o = v as Record<string, unknown>;
      for (const key in o) {
        st.path.push(`[${key}]`);
        walk(item, o[key], st, false);
        st.path.pop();
      }
      return;
    }
    case K.Obj: {
      if (typeof v !== 'object' || Array.isArray(v)) {
        typeError(st, v, 'object');
        return;
      }
      const o = v as Record<string, unknown>;
      const fields = n.fields;
      if (!fields) return;
      for (const key in o) {
        const f = fields.get(key);
        if (f === undefined) {
          if (n.preserve || (root && TOP_LEVEL.has(key))) continue;
          if (st.unknown) st.unknown.push(pathText(st.path, key));
          if (st.prune) delete o[key];
          continue;
        }
        if (f.k === K.Any) continue;
        st.path.push(key);
        walk(f, o[key], st, false);
        st.path.pop();
      }
      return;
    }
  }
}

/**
 * Checks `obj` against definition `defName`. Unknown fields are collected unless `mode` is Ignore;
 * type errors always are. Fields of kind `any` and preserve-unknown-fields structs are not looked into.
 */
export function checkObject(defName: string, obj: unknown, mode: FieldValidationMode = 'Strict', opts: CheckOptions = {}): CheckResult {
  const reg = opts.registry ?? schemaRegistry;
  const unknown: string[] = [];
  const st: State = { unknown: mode === 'Ignore' ? null : unknown, errs: [], prune: opts.prune === true, path: [] };
  walk(rootNode(defName, reg), obj, st, true);
  return { unknown, typeErrors: st.errs };
}

/** Upstream's wording for one unknown field: `unknown field "spec.foo"`. */
export const unknownFieldText = (path: string): string => `unknown field "${path}"`;
