// Schema-driven walks for server-side apply: the field set of a value, the difference between
// two values (as field sets), the apply merge, and removal of a field set from a value.
// List semantics come from x-kubernetes-list-type (`map` by listMapKeys, `set` by value, anything
// else atomic); map semantics from x-kubernetes-map-type (atomic maps/structs are leaves).

import { StatusError } from '../../base/errors.js';
import type { Json, JsonObject } from '../../api/object.js';
import { FieldSet, fieldPE, fieldPathString, keyPE, valuePE } from './field-set.js';
import type { FieldPath, PathElement } from './field-set.js';
import { childSlot, deepEqual, isObject, shapeOf } from './shape.js';
import type { DefinitionLookup, Shape, Slot } from './shape.js';

export type ListKind = { kind: 'map'; keys: readonly string[]; defaults: Record<string, Json> } | { kind: 'set' } | { kind: 'atomic' };

export interface Walker {
  lookup: DefinitionLookup;
  /** Throw on malformed associative lists (applied configurations); otherwise skip bad items. */
  strict: boolean;
  /**
   * Count a granular map's own path as a member when collecting (Update semantics: a map that
   * comes into existence is owned as such, shown as `".": {}`); apply leaves it out.
   */
  mapsAsMembers?: boolean;
}

function invalidApply(path: FieldPath, msg: string): StatusError {
  const field = fieldPathString(path) || '<root>';
  return new StatusError(422, 'Invalid', `apply: ${field}: ${msg}`, { causes: [{ reason: 'FieldValueInvalid', message: msg, field }] });
}

const listKinds = new WeakMap<object, ListKind>();

export function listKind(shape: Shape & { kind: 'list' }, w: Walker): ListKind {
  let lk = listKinds.get(shape);
  if (!lk) {
    lk = computeListKind(shape, w);
    listKinds.set(shape, lk);
  }
  return lk;
}

function computeListKind(shape: Shape & { kind: 'list' }, w: Walker): ListKind {
  const f = shape.field;
  if (f?.listType === 'set') return { kind: 'set' };
  if (f?.listType === 'map' && f.listMapKeys && f.listMapKeys.length > 0) {
    const defaults: Record<string, Json> = {};
    const item = shapeOf(shape.items, w.lookup);
    if (item.kind === 'struct') {
      for (const k of f.listMapKeys) {
        const d = item.fields[k]?.default;
        if (d !== undefined) defaults[k] = d as Json;
      }
    }
    return { kind: 'map', keys: f.listMapKeys, defaults };
  }
  return { kind: 'atomic' };
}

function granularObject(shape: Shape): boolean {
  return shape.kind === 'untyped' || ((shape.kind === 'struct' || shape.kind === 'map') && !shape.atomic);
}

/** True when the value at this shape is a leaf for ownership purposes. */
function isLeaf(shape: Shape, v: Json, w: Walker): boolean {
  if (v === null || typeof v !== 'object') return true;
  switch (shape.kind) {
    case 'scalar':
      return true;
    case 'untyped':
      return Array.isArray(v);
    case 'struct':
    case 'map':
      return shape.atomic || Array.isArray(v) || Object.keys(v).length === 0;
    case 'list':
      return !Array.isArray(v) || v.length === 0 || listKind(shape, w).kind === 'atomic';
  }
}

/** The path element of each item of an associative list (undefined where it cannot be formed). */
export function itemElements(
  shape: Shape & { kind: 'list' },
  items: readonly Json[],
  path: FieldPath,
  w: Walker,
): (PathElement | undefined)[] {
  const lk = listKind(shape, w);
  const seen = new Set<string>();
  return items.map((item, i) => {
    let pe: PathElement | undefined;
    if (lk.kind === 'set') {
      if (item !== null && typeof item === 'object') {
        if (w.strict) throw invalidApply(path, `set list item ${i} must be a scalar value`);
        return undefined;
      }
      pe = valuePE(item);
    } else if (lk.kind === 'map') {
      if (!isObject(item)) {
        if (w.strict) throw invalidApply(path, `associative list item ${i} must be an object`);
        return undefined;
      }
      const keys: Record<string, Json> = {};
      for (const k of lk.keys) {
        const v = item[k] ?? lk.defaults[k];
        if (v === undefined) {
          if (w.strict)
            throw invalidApply(
              path,
              `associative list with keys has an element that omits key field "${k}" (and doesn't have default value)`,
            );
          return undefined;
        }
        keys[k] = v;
      }
      pe = keyPE(keys);
    } else return undefined;
    if (seen.has(pe)) {
      if (w.strict) throw invalidApply(path, `duplicate entries for key ${fieldPathString([pe])}`);
      return undefined;
    }
    seen.add(pe);
    return pe;
  });
}

/** Adds the fields of `v` (at `path`) to `out`. `self` marks the value's own path as a member. */
export function collectFields(v: Json, slot: Slot, path: PathElement[], out: FieldSet, w: Walker, self = false): void {
  const shape = shapeOf(slot, w.lookup);
  if (isLeaf(shape, v, w)) {
    out.insert(path);
    return;
  }
  if (self || (w.mapsAsMembers && (shape.kind === 'map' || shape.kind === 'untyped') && path.length > 0)) out.insert(path);
  if (Array.isArray(v)) {
    if (shape.kind !== 'list') return;
    const pes = itemElements(shape, v, path, w);
    v.forEach((item, i) => {
      const pe = pes[i];
      if (pe === undefined) return;
      path.push(pe);
      if (pe.startsWith('v:')) out.insert(path);
      else collectFields(item, shape.items, path, out, w, true);
      path.pop();
    });
    return;
  }
  if (!isObject(v)) return;
  const entriesAreMembers = shape.kind === 'map' || shape.kind === 'untyped';
  for (const [k, cv] of Object.entries(v)) {
    path.push(fieldPE(k));
    collectFields(cv, childSlot(shape, k), path, out, w, entriesAreMembers);
    path.pop();
  }
}

export interface Comparison {
  modified: FieldSet;
  added: FieldSet;
  removed: FieldSet;
}

export function compareValues(a: Json | undefined, b: Json | undefined, slot: Slot, w: Walker): Comparison {
  const c: Comparison = { modified: new FieldSet(), added: new FieldSet(), removed: new FieldSet() };
  compareAt(a, b, slot, [], c, w, false);
  return c;
}

function compareAt(
  a: Json | undefined,
  b: Json | undefined,
  slot: Slot,
  path: PathElement[],
  c: Comparison,
  w: Walker,
  self: boolean,
): void {
  // the same value (a status write shares the unchanged parts with the old object): nothing differs
  if (a === b) return;
  if (a === undefined) {
    collectFields(b!, slot, path, c.added, { ...w, mapsAsMembers: true }, self);
    return;
  }
  if (b === undefined) {
    collectFields(a, slot, path, c.removed, w, true);
    return;
  }
  const shape = shapeOf(slot, w.lookup);
  const leafA = isLeaf(shape, a, w);
  const leafB = isLeaf(shape, b, w);
  if (leafA || leafB || Array.isArray(a) !== Array.isArray(b)) {
    if (deepEqual(a, b)) return;
    // A leaf changed, or a container turned into a leaf (or back): the path itself is modified and
    // the granular side's own fields count as removed / added.
    c.modified.insert(path);
    if (!leafA) collectFields(a, slot, path, c.removed, w);
    if (!leafB) collectFields(b, slot, path, c.added, { ...w, mapsAsMembers: true });
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (shape.kind !== 'list') return;
    const pa = itemElements(shape, a, path, { ...w, strict: false });
    const pb = itemElements(shape, b, path, { ...w, strict: false });
    const byA = new Map<PathElement, Json>();
    pa.forEach((pe, i) => {
      if (pe !== undefined) byA.set(pe, a[i] ?? null);
    });
    const inB = new Set<PathElement>();
    pb.forEach((pe, i) => {
      if (pe === undefined) return;
      inB.add(pe);
      path.push(pe);
      compareAt(byA.get(pe), b[i] ?? null, shape.items, path, c, w, true);
      path.pop();
    });
    for (const [pe, av] of byA) {
      if (inB.has(pe)) continue;
      path.push(pe);
      compareAt(av, undefined, shape.items, path, c, w, true);
      path.pop();
    }
    return;
  }
  if (!isObject(a) || !isObject(b)) return;
  const members = shape.kind === 'map' || shape.kind === 'untyped';
  for (const k of Object.keys(b)) {
    path.push(fieldPE(k));
    compareAt(a[k], b[k], childSlot(shape, k), path, c, w, members);
    path.pop();
  }
  for (const k of Object.keys(a)) {
    if (k in b) continue;
    path.push(fieldPE(k));
    compareAt(a[k], undefined, childSlot(shape, k), path, c, w, members);
    path.pop();
  }
}

/** The apply merge: `applied` over `live`; granular parts merge, atomic parts are replaced. */
export function mergeApplied(
  live: Json | undefined,
  applied: Json | undefined,
  slot: Slot,
  path: PathElement[],
  w: Walker,
): Json | undefined {
  if (applied === undefined) return live === undefined ? undefined : structuredClone(live);
  if (live === undefined || live === null || applied === null) return structuredClone(applied);
  const shape = shapeOf(slot, w.lookup);
  if (Array.isArray(applied) && Array.isArray(live) && shape.kind === 'list') {
    const lk = listKind(shape, w);
    if (lk.kind === 'atomic' || (live.length === 0 && applied.length === 0)) return structuredClone(applied);
    const pl = itemElements(shape, live, path, { ...w, strict: false });
    const pa = itemElements(shape, applied, path, w);
    const byApplied = new Map<PathElement, Json>();
    pa.forEach((pe, i) => {
      if (pe !== undefined) byApplied.set(pe, applied[i] ?? null);
    });
    const out: Json[] = [];
    const seen = new Set<PathElement>();
    live.forEach((item, i) => {
      const pe = pl[i];
      if (pe === undefined) {
        out.push(structuredClone(item));
        return;
      }
      seen.add(pe);
      path.push(pe);
      out.push(lk.kind === 'set' ? item : (mergeApplied(item, byApplied.get(pe), shape.items, path, w) ?? null));
      path.pop();
    });
    pa.forEach((pe, i) => {
      if (pe !== undefined && !seen.has(pe)) out.push(structuredClone(applied[i] ?? null));
    });
    return out;
  }
  if (isObject(applied) && isObject(live) && granularObject(shape)) {
    const out: JsonObject = {};
    for (const [k, lv] of Object.entries(live)) {
      path.push(fieldPE(k));
      const m = mergeApplied(lv, applied[k], childSlot(shape, k), path, w);
      path.pop();
      if (m !== undefined) out[k] = m;
    }
    for (const [k, av] of Object.entries(applied)) if (!(k in live)) out[k] = structuredClone(av);
    return out;
  }
  return structuredClone(applied);
}

/**
 * Removes from `v` (in place) every member of `remove`, except paths at or beneath which `keep`
 * has a member (those stay, and only their own removable children go). Containers emptied by a
 * removal are dropped. Returns false when `v` itself became empty and should be dropped.
 */
export function removeFields(v: Json, slot: Slot, remove: FieldSet, keep: FieldSet, w: Walker, keyFields: readonly string[] = []): boolean {
  const shape = shapeOf(slot, w.lookup);
  if (Array.isArray(v)) {
    if (shape.kind !== 'list') return true;
    const pes = itemElements(shape, v, [], { ...w, strict: false });
    let removed = false;
    const lk = listKind(shape, w);
    const keys = lk.kind === 'map' ? lk.keys : [];
    for (let i = v.length - 1; i >= 0; i--) {
      const pe = pes[i];
      if (pe === undefined) continue;
      const r = remove.children.get(pe);
      if (!r) continue;
      const k = keep.children.get(pe) ?? new FieldSet();
      const item = v[i] ?? null;
      if (r.member && k.isEmpty()) {
        v.splice(i, 1);
        removed = true;
        continue;
      }
      if (!removeFields(item, shape.items, r, k, w, keys)) {
        v.splice(i, 1);
        removed = true;
      }
    }
    return !(removed && v.length === 0);
  }
  if (!isObject(v)) return true;
  let removed = false;
  for (const [pe, r] of remove.children) {
    if (!pe.startsWith('f:')) continue;
    const name = pe.slice(2);
    if (!(name in v) || keyFields.includes(name)) continue;
    const k = keep.children.get(pe) ?? new FieldSet();
    if (r.member && k.isEmpty()) {
      delete v[name];
      removed = true;
      continue;
    }
    const cv = v[name];
    if (cv !== undefined && cv !== null && typeof cv === 'object' && !removeFields(cv, childSlot(shape, name), r, k, w)) {
      delete v[name];
      removed = true;
    }
  }
  return !(removed && Object.keys(v).length === 0);
}
