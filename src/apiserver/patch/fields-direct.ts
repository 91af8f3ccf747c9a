// The FieldsV1 of a whole object built in one walk, as JSON text, without an intermediate FieldSet
// or object tree: the fast path for writes that create an object (every field is new, so there is
// nothing to compare). Produces exactly JSON.stringify of what collectFields(...) followed by
// FieldSet.toFieldsV1() produces: children in path-element order, `".": {}` first on members.

import type { Json } from '../../api/object.js';
import { comparePE } from './field-set.js';
import { isObject, shapeOf } from './shape.js';
import type { DefinitionLookup, Shape, Slot } from './shape.js';
import { childShape, matches, skeletonOf, type Skel } from './field-structure.js';
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
      if (v === undefined) {
        pe = undefined;
        break;
      }
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

/**
 * Built texts by the structure they were built from, per lookup (the same definition name may
 * mean other schemas to another lookup), root definition and walker mode; most recently used
 * first. Objects stamped from one template (the pods of a ReplicaSet, a client's creates) match
 * one skeleton: the match walks the object once and allocates nothing.
 */
interface Built {
  skel: Skel;
  text: string | undefined;
}
const built = new WeakMap<DefinitionLookup, Map<string, Built[]>>();
const BUILT_PER_ROOT = 32;

/** The FieldsV1 JSON text of `v`, or undefined when it contributes no field at all. */
export function fieldsV1Text(v: Json, slot: Slot, w: Walker, self: boolean, root: boolean): string | undefined {
  const shape = shapeOf(slot, w.lookup);
  // strict walks throw on malformed lists where textOf's lenient one skips: never cached
  if (!root || !isObject(v) || w.strict) return textOf(v, shape, w, self, root);
  let byRoot = built.get(w.lookup);
  if (!byRoot) {
    byRoot = new Map();
    built.set(w.lookup, byRoot);
  }
  const rootKey = `${w.mapsAsMembers === true ? 'M' : 'm'}${self ? 'S' : 's'}${slot.type?.kind === 'ref' ? slot.type.ref : '?'}`;
  let list = byRoot.get(rootKey);
  if (!list) {
    list = [];
    byRoot.set(rootKey, list);
  }
  for (let i = 0; i < list.length; i++) {
    const b = list[i] as Built;
    if (!matches(b.skel, v, shape, w, true)) continue;
    if (i > 0) {
      list.splice(i, 1);
      list.unshift(b);
    }
    return b.text;
  }
  const text = textOf(v, shape, w, self, root);
  const skel = skeletonOf(v, shape, w, true);
  if (skel !== undefined) {
    list.unshift({ skel, text });
    if (list.length > BUILT_PER_ROOT) list.length = BUILT_PER_ROOT;
  }
  return text;
}

/** fieldsV1Text without the cache of built texts (tests compare the two). */
export function fieldsV1TextUncached(v: Json, slot: Slot, w: Walker, self: boolean, root: boolean): string | undefined {
  return textOf(v, shapeOf(slot, w.lookup), w, self, root);
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
          const c =
            item === null || typeof item !== 'object' ? '{}' : textOf(item, (itemShape ??= shapeOf(shape.items, w.lookup)), w, true, false);
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
    if (
      keys.length > 0 &&
      keys.every((k) => {
        const x = v[k];
        return x === null || typeof x !== 'object';
      })
    ) {
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
