// Navigation helpers over the schema: the field and type found at a path inside a definition.
// Paths are either dotted strings with indexes (`spec.template.spec.containers[0].ports`) or arrays of
// segments (`['spec', 'containers', 0, 'ports']`); a string segment after a map field is a map key.

import { schemaRegistry, type ResolvedType, type SchemaRegistry } from './registry.js';
import type { FieldDef, TypeRef } from './types.js';

export type PathSegment = string | number;

/** Where a path leads: the type there, and the FieldDef when the last step was a struct field. */
export interface PathTarget {
  type: TypeRef;
  /** Set when the last segment named a field of a struct. */
  field?: FieldDef;
  /** The resolved type at the path. */
  resolved: ResolvedType;
}

/** Splits `a.b[0].c` into `['a', 'b', 0, 'c']`. Keys with dots cannot be expressed; pass an array instead. */
export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  for (const part of path.split('.')) {
    if (!part) continue;
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const idx of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** One step from a type: a field of a struct, an item of a list, or a value of a map. */
function childType(t: TypeRef, seg: PathSegment, reg: SchemaRegistry = schemaRegistry): { type: TypeRef; field?: FieldDef } | undefined {
  const r = reg.resolve(t);
  switch (r.kind) {
    case 'object': {
      if (typeof seg !== 'string') return undefined;
      const f = r.def.fields[seg];
      return f ? { type: f.type, field: f } : undefined;
    }
    case 'array':
      return typeof seg === 'number' ? { type: r.items } : undefined;
    case 'map':
      return typeof seg === 'string' ? { type: r.values } : undefined;
    case 'any':
      return { type: { kind: 'any' } };
    case 'prim':
    case 'missing':
      return undefined;
  }
}

/** The type at `path` inside definition `defName`, or undefined when the path leaves the schema. */
export function typeAtPath(
  defName: string,
  path: string | readonly PathSegment[],
  reg: SchemaRegistry = schemaRegistry,
): PathTarget | undefined {
  const segs = typeof path === 'string' ? parsePath(path) : path;
  let cur: { type: TypeRef; field?: FieldDef } = { type: { kind: 'ref', ref: defName } };
  if (!reg.getDefinition(defName)) return undefined;
  for (const seg of segs) {
    const next = childType(cur.type, seg, reg);
    if (!next) return undefined;
    cur = next;
  }
  const out: PathTarget = { type: cur.type, resolved: reg.resolve(cur.type) };
  if (cur.field) out.field = cur.field;
  return out;
}

/** The FieldDef at `path` (its last segment must name a struct field). */
export function fieldAtPath(
  defName: string,
  path: string | readonly PathSegment[],
  reg: SchemaRegistry = schemaRegistry,
): FieldDef | undefined {
  return typeAtPath(defName, path, reg)?.field;
}

/** The definition name of the struct at `path` (following refs), e.g. `io.k8s.api.core.v1.Container` for `spec.containers[0]`. */
export function defNameAtPath(
  defName: string,
  path: string | readonly PathSegment[],
  reg: SchemaRegistry = schemaRegistry,
): string | undefined {
  const t = typeAtPath(defName, path, reg);
  return t?.resolved.kind === 'object' ? t.resolved.name : undefined;
}
