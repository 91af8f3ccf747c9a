// The structure of an object as far as its FieldsV1 depends on it, kept as a skeleton that later
// objects are matched against without building anything: keys in their order, which values are
// leaves, and the identity of every list item (the key values of associative lists, the values of
// set lists). Two objects that match one skeleton under the same root shape and walker have the
// same FieldsV1 (fields-direct.ts caches built texts by skeleton). The leaf rules are textOf's.

import type { Json } from '../../api/object.js';
import { isObject, shapeOf } from './shape.js';
import type { DefinitionLookup, Shape } from './shape.js';
import type { FieldDef } from '../../api/schema/types.js';
import { listKind } from './ssa-walk.js';
import type { Walker } from './ssa-walk.js';

/** LEAF: contributes `{}` (or nothing at the root); see isLeafAt. */
const LEAF = 0;
/** An array where the schema has no list (only reachable at the root). */
const NOT_A_LIST = 1;

interface ObjectSkel {
  keys: string[];
  kids: Skel[];
}
/** `ids[i]`: for an associative list, the key values of item i in the list's key order (undefined
 * for a non-object item); for a set list, the item itself (a scalar; objects are skipped items). */
interface ListSkel {
  ids: unknown[];
  kids: (Skel | undefined)[];
}
export type Skel = typeof LEAF | typeof NOT_A_LIST | ObjectSkel | ListSkel;

/** Where textOf writes `{}` for a non-root value without looking inside it. */
function isLeafAt(v: Json, shape: Shape, w: Walker): boolean {
  if (v === null || typeof v !== 'object' || shape.kind === 'scalar') return true;
  if (Array.isArray(v)) {
    if (shape.kind !== 'list') return true;
    return v.length === 0 || listKind(shape, w).kind === 'atomic';
  }
  if (shape.kind === 'list') return true;
  if (shape.kind === 'untyped') return false;
  if (shape.atomic) return true;
  for (const _ in v) return false;
  return true;
}

// The shape of a struct's field, cached by the field's definition (no Slot allocated per visit).
const fieldShapes = new WeakMap<DefinitionLookup, WeakMap<FieldDef, Shape>>();
function fieldShape(f: FieldDef, lookup: DefinitionLookup): Shape {
  let cache = fieldShapes.get(lookup);
  if (!cache) {
    cache = new WeakMap();
    fieldShapes.set(lookup, cache);
  }
  let shape = cache.get(f);
  if (!shape) {
    shape = shapeOf({ type: f.type, field: f }, lookup);
    cache.set(f, shape);
  }
  return shape;
}

const UNTYPED: Shape = { kind: 'untyped' };

/** The shape of the value under `key` of an object of this shape. */
export function childShape(shape: Shape, key: string, lookup: DefinitionLookup): Shape {
  if (shape.kind === 'struct') {
    const f = shape.fields[key];
    return f ? fieldShape(f, lookup) : UNTYPED;
  }
  return shape.kind === 'map' ? shapeOf(shape.values, lookup) : UNTYPED;
}

/** The key values of an associative-list item, or undefined when the item is not an object. */
function keyValues(item: Json | undefined, names: readonly string[], defaults: Readonly<Record<string, Json>>): unknown[] | undefined {
  if (!isObject(item)) return undefined;
  const out = new Array<unknown>(names.length);
  for (let j = 0; j < names.length; j++) {
    const n = names[j] as string;
    out[j] = item[n] ?? defaults[n];
  }
  return out;
}

/** The skeleton of `v` (a non-leaf or the root). Undefined when it cannot be matched by identity
 * (a list key or set item that is itself an object or array): such objects are never cached. */
export function skeletonOf(v: Json, shape: Shape, w: Walker, root: boolean): Skel | undefined {
  if (!root && isLeafAt(v, shape, w)) return LEAF;
  if (Array.isArray(v)) {
    if (shape.kind !== 'list') return NOT_A_LIST;
    const lk = listKind(shape, w);
    const ids: unknown[] = new Array<unknown>(v.length);
    const kids: (Skel | undefined)[] = new Array<Skel | undefined>(v.length);
    const itemShape = shapeOf(shape.items, w.lookup);
    for (let i = 0; i < v.length; i++) {
      const item = v[i] ?? null;
      if (lk.kind === 'set') {
        if (item !== null && typeof item === 'object') continue;
        ids[i] = item;
        continue;
      }
      if (lk.kind !== 'map') return undefined;
      const kv = keyValues(item, lk.keys, lk.defaults);
      if (kv === undefined) continue;
      for (const x of kv) if (x !== null && typeof x === 'object') return undefined;
      ids[i] = kv;
      const kid = skeletonOf(item, itemShape, w, false);
      if (kid === undefined) return undefined;
      kids[i] = kid;
    }
    return { ids, kids };
  }
  if (!isObject(v)) return LEAF;
  const keys: string[] = [];
  const kids: Skel[] = [];
  for (const k in v) {
    keys.push(k);
    const x = v[k] ?? null;
    const kid = x === null || typeof x !== 'object' ? LEAF : skeletonOf(x, childShape(shape, k, w.lookup), w, false);
    if (kid === undefined) return undefined;
    kids.push(kid);
  }
  return { keys, kids };
}

/** Whether `v` has the structure `s` was taken from (same shape, walker and rootness). */
export function matches(s: Skel, v: Json, shape: Shape, w: Walker, root: boolean): boolean {
  if (!root && isLeafAt(v, shape, w)) return s === LEAF;
  if (s === LEAF) return false;
  if (Array.isArray(v)) {
    if (shape.kind !== 'list') return s === NOT_A_LIST;
    if (s === NOT_A_LIST || !('ids' in s) || s.ids.length !== v.length) return false;
    const lk = listKind(shape, w);
    const itemShape = shapeOf(shape.items, w.lookup);
    for (let i = 0; i < v.length; i++) {
      const item = v[i] ?? null;
      const id = s.ids[i];
      if (lk.kind === 'set') {
        // an object in a set list is a skipped item (no id)
        if (item !== null && typeof item === 'object') {
          if (id !== undefined) return false;
          continue;
        }
        if (id !== item) return false;
        continue;
      }
      if (lk.kind !== 'map') return false;
      if (!isObject(item)) {
        if (id !== undefined) return false;
        continue;
      }
      if (!Array.isArray(id)) return false;
      for (let j = 0; j < lk.keys.length; j++) {
        const n = lk.keys[j] as string;
        if ((item[n] ?? lk.defaults[n]) !== id[j]) return false;
      }
      const kid = s.kids[i];
      if (kid === undefined || !matches(kid, item, itemShape, w, false)) return false;
    }
    return true;
  }
  if (s === NOT_A_LIST || !('keys' in s) || !isObject(v)) return false;
  let j = 0;
  for (const k in v) {
    if (j >= s.keys.length || s.keys[j] !== k) return false;
    const x = v[k] ?? null;
    const kid = s.kids[j] as Skel;
    if (x === null || typeof x !== 'object') {
      if (kid !== LEAF) return false;
    } else if (!matches(kid, x, childShape(shape, k, w.lookup), w, false)) return false;
    j++;
  }
  return j === s.keys.length;
}
