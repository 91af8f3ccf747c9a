// Resolves a position in an object to the structural facts the patch engines need:
// struct (named fields), map (free keys), list (with its list/patch metadata), scalar or untyped.
// Engines never see the DefinitionMap itself, only a lookup function, so they work before the
// generated registry exists and with any fixture a test builds.

import type { Definition, FieldDef, TypeRef } from '../../api/schema/types.js';
import type { Json, JsonObject } from '../../api/object.js';

/** Finds a definition by its OpenAPI name, e.g. `io.k8s.api.apps.v1.Deployment`. */
export type DefinitionLookup = (defName: string) => Definition | undefined;

/** Where a value sits: its type and, when it is a named field, the field's list/map metadata. */
export interface Slot {
  type?: TypeRef;
  field?: FieldDef;
}

export type Shape =
  | { kind: 'struct'; fields: Readonly<Record<string, FieldDef>>; atomic: boolean }
  | { kind: 'map'; values: Slot; atomic: boolean }
  | { kind: 'list'; items: Slot; field: FieldDef | undefined }
  | { kind: 'scalar' }
  /** No schema information: objects behave like granular maps, lists are atomic. */
  | { kind: 'untyped' };

const UNTYPED: Shape = { kind: 'untyped' };
const SCALAR: Shape = { kind: 'scalar' };

// one Slot per root definition, so that shapeOf's cache (by the identity of the type) holds for roots
const rootSlots = new Map<string, Slot>();
export function rootSlot(rootDef: string): Slot {
  let s = rootSlots.get(rootDef);
  if (!s) {
    s = Object.freeze({ type: Object.freeze({ kind: 'ref' as const, ref: rootDef }) });
    rootSlots.set(rootDef, s);
  }
  return s;
}

// Shapes are pure functions of (field, type, lookup): cache them by the identity of the schema
// objects (generated definitions are immutable), which keeps per-request walks allocation-light.
const byField = new WeakMap<DefinitionLookup, WeakMap<object, Shape>>();

export function shapeOf(slot: Slot, lookup: DefinitionLookup): Shape {
  const key: object | undefined = slot.field ?? slot.type;
  if (key === undefined) return UNTYPED;
  let cache = byField.get(lookup);
  if (!cache) {
    cache = new WeakMap();
    byField.set(lookup, cache);
  }
  let shape = cache.get(key);
  if (!shape) {
    shape = computeShape(slot, lookup);
    cache.set(key, shape);
  }
  return shape;
}

function computeShape(slot: Slot, lookup: DefinitionLookup): Shape {
  const t = slot.type;
  if (!t) return UNTYPED;
  switch (t.kind) {
    case 'prim':
      return SCALAR;
    case 'any':
      return UNTYPED;
    case 'map':
      return { kind: 'map', values: { type: t.values }, atomic: slot.field?.mapType === 'atomic' };
    case 'array':
      return { kind: 'list', items: { type: t.items }, field: slot.field };
    case 'ref': {
      const def = lookup(t.ref);
      if (!def) return UNTYPED;
      if (def.kind === 'scalar') return SCALAR;
      return { kind: 'struct', fields: def.fields, atomic: def.mapType === 'atomic' || slot.field?.mapType === 'atomic' };
    }
  }
}

/** The slot of `key` inside a struct, map or untyped object. */
export function childSlot(shape: Shape, key: string): Slot {
  if (shape.kind === 'struct') {
    const f = shape.fields[key];
    return f ? { type: f.type, field: f } : {};
  }
  if (shape.kind === 'map') return shape.values;
  return {};
}

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!(k in b) || !deepEqual(a[k], b[k])) return false;
  return true;
}

/** `.spec.template` style path text for error messages. */
export function pathText(path: readonly (string | number)[]): string {
  if (path.length === 0) return '<root>';
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
}
