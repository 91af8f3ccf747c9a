// The FieldsV1 of a whole object built in one walk, as JSON text, without an intermediate FieldSet
// or object tree: the fast path for writes that create an object (every field is new, so there is
// nothing to compare). Produces exactly JSON.stringify of what collectFields(...) followed by
// FieldSet.toFieldsV1() produces: children in path-element order, `".": {}` first on members.

import type { Json } from '../../api/object.js';
import { comparePE } from './field-set.js';
import { isObject, shapeOf } from './shape.js';
import type { DefinitionLookup, Shape, Slot } from './shape.js';
import type { FieldDef } from '../../api/schema/types.js';
import { itemElements, listKind } from './ssa-walk.js';
import type { ListKind, Walker } from './ssa-walk.js';

// `"f:name":` for field names seen before: struct fields repeat on every object of a kind. Map keys
// (labels, annotations) pass through too, so the cache is bounded by clearing it when it grows.
const fieldKeys = new Map<string, string>();
function fieldKey(name: string): string {
  let t = fieldKeys.get(name);
  if (t === undefined) {
    if (fieldKeys.size >= 20_000) fieldKeys.clear();
    t = `${JSON.stringify(`f:${name}`)}:`;
    fieldKeys.set(name, t);
  }
  return t;
}

const byPE = (a: [string, string], b: [string, string]) => comparePE(a[0], b[0]);

// The shape of a struct's field, cached by the field's definition (no Slot allocated per visit).
const fieldShapes = new WeakMap<DefinitionLookup, WeakMap<FieldDef, Shape>>();
function fieldShape(f: FieldDef, lookup: DefinitionLookup): Shape {
  let cache = fieldShapes.get(lookup);
  if (!cache) { cache = new WeakMap(); fieldShapes.set(lookup, cache); }
  let shape = cache.get(f);
  if (!shape) { shape = shapeOf({ type: f.type, field: f }, lookup); cache.set(f, shape); }
  return shape;
}

const UNTYPED: Shape = { kind: 'untyped' };

function childShape(shape: Shape, key: string, lookup: DefinitionLookup): Shape {
  if (shape.kind === 'struct') {
    const f = shape.fields[key];
    return f ? fieldShape(f, lookup) : UNTYPED;
  }
  return shape.kind === 'map' ? shapeOf(shape.values, lookup) : UNTYPED;
}

// `"name":` prefixes of an associative list's key fields, in the sorted order of `k:` elements.
const keyPrefixes = new WeakMap<ListKind, { names: string[]; prefixes: string[] }>();

/**
 * What itemElements gives for a lenient walk, without its intermediate key objects: `k:{...}` of
 * each item of an associative list (undefined for items without their keys, and for repeats).
 */
function elementsOf(shape: Shape & { kind: 'list' }, items: readonly Json[], w: Walker): (string | undefined)[] {
  const lk = listKind(shape, w);
  if (lk.kind !== 'map' || w.strict) return itemElements(shape, items, [], w);
  let kp = keyPrefixes.get(lk);
  if (!kp) {
    const names = [...lk.keys].sort();
    kp = { names, prefixes: names.map((n) => `${JSON.stringify(n)}:`) };
    keyPrefixes.set(lk, kp);
  }
  const out: (string | undefined)[] = new Array<string | undefined>(items.length);
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!isObject(item)) continue;
    let pe: string | undefined = 'k:{';
    for (let j = 0; j < kp.names.length; j++) {
      const n = kp.names[j] as string;
      const v = item[n] ?? lk.defaults[n];
      if (v === undefined) { pe = undefined; break; }
      pe += `${j > 0 ? ',' : ''}${kp.prefixes[j] as string}${JSON.stringify(v)}`;
    }
    if (pe === undefined) continue;
    pe += '}';
    if (seen.has(pe)) continue;
    seen.add(pe);
    out[i] = pe;
  }
  return out;
}

/** The FieldsV1 JSON text of `v`, or undefined when it contributes no field at all. */
export function fieldsV1Text(v: Json, slot: Slot, w: Walker, self: boolean, root: boolean): string | undefined {
  const shape = shapeOf(slot, w.lookup);
  if (!root || !isObject(v)) return textOf(v, shape, w, self, root);
  // Whole objects are cached by their structure: pods stamped from one template share it.
  const tokens: string[] = [w.mapsAsMembers === true ? 'M' : 'm', w.strict ? 'S' : 's', slot.type?.kind === 'ref' ? slot.type.ref : '?'];
  fingerprint(v, shape, w, true, tokens);
  const key = tokens.join('\u0001');
  // one cache per lookup: the same definition name may mean other schemas to another lookup
  let cache = wholeObjects.get(w.lookup);
  if (!cache) { cache = new Map(); wholeObjects.set(w.lookup, cache); }
  const hit = cache.get(key);
  if (hit !== undefined) return hit === NO_FIELDS ? undefined : hit;
  const text = textOf(v, shape, w, self, root);
  if (cache.size >= 256) cache.clear();
  cache.set(key, text ?? NO_FIELDS);
  return text;
}

/** fieldsV1Text without the whole-object cache (tests compare the two). */
export function fieldsV1TextUncached(v: Json, slot: Slot, w: Walker, self: boolean, root: boolean): string | undefined {
  return textOf(v, shapeOf(slot, w.lookup), w, self, root);
}

const NO_FIELDS = '\u0000';
const wholeObjects = new WeakMap<DefinitionLookup, Map<string, string>>();

/**
 * Everything textOf's output depends on, as tokens: the keys in their order (length-prefixed, so
 * no key can pass for structure), leaves, and the path element of every list item (which carries
 * the key values of associative lists and the values of set lists). The shapes follow from the
 * root and the keys, and so do the member marks.
 */
function fingerprint(v: Json, shape: Shape, w: Walker, root: boolean, out: string[]): void {
  if (!root) {
    if (v === null || typeof v !== 'object' || shape.kind === 'scalar') { out.push('.'); return; }
    if (Array.isArray(v)) {
      if ((shape.kind !== 'list' && shape.kind !== 'untyped') || shape.kind === 'untyped' || v.length === 0 || listKind(shape, w).kind === 'atomic') { out.push('.'); return; }
    } else if (shape.kind === 'list' || (shape.kind !== 'untyped' && (shape.atomic || Object.keys(v).length === 0))) {
      out.push('.');
      return;
    }
  }
  if (Array.isArray(v)) {
    if (shape.kind !== 'list') { out.push('[]'); return; }
    const pes = elementsOf(shape, v, w);
    let itemShape: Shape | undefined;
    out.push('[');
    for (let i = 0; i < v.length; i++) {
      const pe = pes[i];
      if (pe === undefined) { out.push('-'); continue; }
      out.push(`${pe.length}:${pe}`);
      if (pe.startsWith('v:')) continue;
      const item = v[i] ?? null;
      if (item === null || typeof item !== 'object') out.push('.');
      else fingerprint(item, itemShape ??= shapeOf(shape.items, w.lookup), w, false, out);
    }
    out.push(']');
  } else if (isObject(v)) {
    out.push('{');
    for (const k in v) {
      out.push(`${k.length}:${k}`);
      const x = v[k] ?? null;
      if (x === null || typeof x !== 'object') out.push('.');
      else fingerprint(x, childShape(shape, k, w.lookup), w, false, out);
    }
    out.push('}');
  }
}

const scalarObjects = new Map<string, string>();

// Each node's text is one Array.join of its members: joins produce flat strings, where `+=` would
// leave a rope of thousands of pieces that the first reader (SQLite, a socket) must flatten, which
// cost more than building the text.
function textOf(v: Json, shape: Shape, w: Walker, self: boolean, root: boolean): string | undefined {
  // the leaf rules of isLeaf (ssa-walk.ts), with the object's keys read once
  let keys: string[] | undefined;
  if (!root) {
    if (v === null || typeof v !== 'object' || shape.kind === 'scalar') return '{}';
    if (Array.isArray(v)) {
      if (shape.kind !== 'list' && shape.kind !== 'untyped') return '{}';
      if (shape.kind === 'untyped' || v.length === 0 || listKind(shape, w).kind === 'atomic') return '{}';
    } else {
      if (shape.kind === 'list') return '{}';
      if (shape.kind !== 'untyped') {
        if (shape.atomic) return '{}';
        keys = Object.keys(v);
        if (keys.length === 0) return '{}';
      }
    }
  }
  const member = !root && (self || (w.mapsAsMembers === true && (shape.kind === 'map' || shape.kind === 'untyped')));
  // key, child, ',', key, child, ',' ... (the last ',' becomes the closing brace)
  const parts: string[] = [member ? '{".":{},' : '{'];
  let memo: string | undefined;
  if (Array.isArray(v)) {
    if (shape.kind === 'list') {
      const pes = elementsOf(shape, v, w);
      const children: Array<[string, string]> = [];
      let itemShape: Shape | undefined;
      for (let i = 0; i < v.length; i++) {
        const pe = pes[i];
        if (pe === undefined) continue;
        if (pe.startsWith('v:')) children.push([pe, '{}']);
        else {
          const item = v[i] ?? null;
          const c = item === null || typeof item !== 'object' ? '{}' : textOf(item, itemShape ??= shapeOf(shape.items, w.lookup), w, true, false);
          if (c !== undefined) children.push([pe, c]);
        }
      }
      if (children.length > 1) children.sort(byPE);
      for (const [pe, c] of children) parts.push(JSON.stringify(pe), ':', c, ',');
    }
  } else if (isObject(v)) {
    const entriesAreMembers = shape.kind === 'map' || shape.kind === 'untyped';
    keys ??= Object.keys(v);
    // An object of scalars (labels, requests, ports, env entries, ...) gives the same text for the
    // same keys, whatever their values: objects made from one template hit this memo.
    if (keys.length > 0 && keys.every((k) => { const x = v[k]; return x === null || typeof x !== 'object'; })) {
      memo = `${member ? '1' : '0'}${keys.join('\u0000')}`;
      const hit = scalarObjects.get(memo);
      if (hit !== undefined) return hit;
    }
    // every element here is `f:<key>`, whose order is the keys' own order
    if (keys.length > 1) keys.sort();
    for (const k of keys) {
      const x = v[k] ?? null;
      // a scalar is a leaf whatever its schema says
      const c = x === null || typeof x !== 'object' ? '{}' : textOf(x, childShape(shape, k, w.lookup), w, entriesAreMembers, false);
      if (c !== undefined) parts.push(fieldKey(k), c, ',');
    }
  }
  if (parts.length === 1) return member ? '{}' : undefined;
  parts[parts.length - 1] = '}';
  const text = parts.join('');
  if (memo !== undefined) {
    if (scalarObjects.size >= 10_000) scalarObjects.clear();
    scalarObjects.set(memo, text);
  }
  return text;
}
