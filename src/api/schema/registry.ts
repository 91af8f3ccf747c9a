// The schema registry: definition lookup by name and by GVK, field lookup, and a resolver that follows
// named refs and scalars down to a structural shape. The built-in definitions come from
// src/api/gen/definitions.ts; more (e.g. for custom resources) can be added at run time.

import { definitions as builtIn } from '../gen/definitions.js';
import type { Definition, DefinitionMap, FieldDef, GVK, ObjectDefinition, Primitive, TypeRef } from './types.js';

/** A TypeRef with named refs followed: an object definition, or a structural type. */
export type ResolvedType =
  | { kind: 'object'; name: string; def: ObjectDefinition }
  | { kind: 'prim'; type: Primitive; format?: string; enum?: readonly string[]; oneOf?: readonly Primitive[] }
  | { kind: 'array'; items: TypeRef }
  | { kind: 'map'; values: TypeRef }
  | { kind: 'any' }
  /** A ref to a name the registry does not know. */
  | { kind: 'missing'; name: string };

export interface SchemaRegistry {
  getDefinition(name: string): Definition | undefined;
  /** The definition name whose x-kubernetes-group-version-kind lists `gvk`. */
  definitionForGVK(gvk: GVK): string | undefined;
  fieldDef(defName: string, field: string): FieldDef | undefined;
  /** Follows refs and named scalars. */
  resolve(t: TypeRef): ResolvedType;
  /** All names, sorted. */
  names(): string[];
  /** Adds or replaces definitions (e.g. a custom resource's schema). */
  add(defs: DefinitionMap): void;
  /** Removes definitions added at run time (a deleted custom resource's schema). */
  remove(names: readonly string[]): void;
}

const gvkKey = (g: GVK) => `${g.group}/${g.version}/${g.kind}`;

export function createSchemaRegistry(base: DefinitionMap = builtIn): SchemaRegistry {
  const defs = new Map<string, Definition>(Object.entries(base));
  const byGvk = new Map<string, string>();
  const index = (name: string, d: Definition, override = false) => {
    if (d.kind === 'object' && d.gvk) for (const g of d.gvk) if (override || !byGvk.has(gvkKey(g))) byGvk.set(gvkKey(g), name);
  };
  // Prefer the definition whose own name ends in the kind (WatchEvent/DeleteOptions list many GVKs).
  const entries = [...defs.entries()];
  for (const [n, d] of entries) if (d.kind === 'object' && d.gvk?.length === 1) index(n, d);
  for (const [n, d] of entries) index(n, d);

  const resolve = (t: TypeRef): ResolvedType => {
    let cur: TypeRef = t;
    for (let hops = 0; hops < 16; hops++) {
      if (cur.kind !== 'ref') {
        if (cur.kind === 'prim') {
          const out: ResolvedType = { kind: 'prim', type: cur.type };
          if (cur.format !== undefined) out.format = cur.format;
          if (cur.enum !== undefined) out.enum = cur.enum;
          return out;
        }
        return cur;
      }
      const d = defs.get(cur.ref);
      if (!d) return { kind: 'missing', name: cur.ref };
      if (d.kind === 'object') return { kind: 'object', name: cur.ref, def: d };
      if (d.oneOf && d.type.kind === 'prim') {
        const out: ResolvedType = { kind: 'prim', type: d.type.type, oneOf: d.oneOf };
        if (d.type.format !== undefined) out.format = d.type.format;
        return out;
      }
      cur = d.type;
    }
    return { kind: 'missing', name: t.kind === 'ref' ? t.ref : '?' };
  };

  return {
    getDefinition: (name) => defs.get(name),
    definitionForGVK: (gvk) => byGvk.get(gvkKey(gvk)),
    fieldDef(defName, field) {
      const d = defs.get(defName);
      return d?.kind === 'object' ? d.fields[field] : undefined;
    },
    resolve,
    names: () => [...defs.keys()].sort(),
    add(more) {
      for (const [n, d] of Object.entries(more)) {
        defs.set(n, d);
        index(n, d, true);
      }
    },
    remove(names) {
      for (const n of names) {
        const d = defs.get(n);
        if (!d) continue;
        defs.delete(n);
        if (d.kind === 'object' && d.gvk) for (const g of d.gvk) if (byGvk.get(gvkKey(g)) === n) byGvk.delete(gvkKey(g));
      }
    },
  };
}

/** The process-wide registry of built-in definitions. */
export const schemaRegistry: SchemaRegistry = createSchemaRegistry();

export const getDefinition = (name: string): Definition | undefined => schemaRegistry.getDefinition(name);
export const definitionForGVK = (gvk: GVK): string | undefined => schemaRegistry.definitionForGVK(gvk);
export const fieldDef = (defName: string, field: string): FieldDef | undefined => schemaRegistry.fieldDef(defName, field);
export const resolveType = (t: TypeRef): ResolvedType => schemaRegistry.resolve(t);
