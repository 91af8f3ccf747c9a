// OpenAPI v3 `components.schemas` entries from the DefinitionMap, in upstream's layout: property refs as
// `allOf: [{$ref}]` (with `default` beside them where one is declared), bare `$ref` for item/value refs
// without a default, and the x-kubernetes-* extensions. No description texts are emitted.

import type { SchemaRegistry } from './registry.js';
import type { Definition, FieldDef, TypeRef } from './types.js';

export type JsonSchema = { [k: string]: unknown };

export const REF_PREFIX = '#/components/schemas/';
const refTo = (name: string) => ({ $ref: REF_PREFIX + name });

function typeSchema(t: TypeRef, nested: boolean, fieldDefault: unknown): JsonSchema {
  switch (t.kind) {
    case 'ref': {
      const dflt = nested ? t.default : fieldDefault;
      if (!nested || dflt !== undefined) {
        const s: JsonSchema = { allOf: [refTo(t.ref)] };
        if (dflt !== undefined) s['default'] = dflt;
        return s;
      }
      return refTo(t.ref);
    }
    case 'prim': {
      const s: JsonSchema = t.format === 'int-or-string' ? { 'x-kubernetes-int-or-string': true } : { type: t.type };
      if (t.format && t.format !== 'int-or-string') s['format'] = t.format;
      if (t.enum) s['enum'] = [...t.enum];
      const dflt = nested ? t.default : fieldDefault;
      if (dflt !== undefined) s['default'] = dflt;
      return s;
    }
    case 'array':
      return withDefault({ type: 'array', items: typeSchema(t.items, true, undefined) }, nested ? undefined : fieldDefault);
    case 'map':
      return withDefault(
        { type: 'object', additionalProperties: typeSchema(t.values, true, undefined) },
        nested ? undefined : fieldDefault,
      );
    case 'any':
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
}

const withDefault = (s: JsonSchema, d: unknown): JsonSchema => (d === undefined ? s : { ...s, default: d });

function fieldSchema(f: FieldDef): JsonSchema {
  const s = typeSchema(f.type, false, f.default);
  if (f.listType) s['x-kubernetes-list-type'] = f.listType;
  if (f.listMapKeys) s['x-kubernetes-list-map-keys'] = [...f.listMapKeys];
  if (f.patchMergeKey) s['x-kubernetes-patch-merge-key'] = f.patchMergeKey;
  if (f.patchStrategy) s['x-kubernetes-patch-strategy'] = f.patchStrategy;
  if (f.mapType) s['x-kubernetes-map-type'] = f.mapType;
  return s;
}

function definitionSchema(d: Definition): JsonSchema {
  if (d.kind === 'scalar') {
    if (d.oneOf) {
      const s: JsonSchema = { oneOf: d.oneOf.map((type) => ({ type })) };
      if (d.type.kind === 'prim' && d.type.format) s['format'] = d.type.format;
      return s;
    }
    if (d.type.kind === 'any') return { type: 'object' };
    return typeSchema(d.type, true, undefined);
  }
  const properties: Record<string, JsonSchema> = {};
  for (const [k, f] of Object.entries(d.fields)) properties[k] = fieldSchema(f);
  const s: JsonSchema = { type: 'object', properties };
  if (d.required?.length) s['required'] = [...d.required];
  if (d.gvk) s['x-kubernetes-group-version-kind'] = d.gvk.map((g) => ({ group: g.group, kind: g.kind, version: g.version }));
  if (d.mapType) s['x-kubernetes-map-type'] = d.mapType;
  if (d.preserveUnknownFields) s['x-kubernetes-preserve-unknown-fields'] = true;
  return s;
}

function refsOf(t: TypeRef, out: string[]): void {
  if (t.kind === 'ref') out.push(t.ref);
  else if (t.kind === 'array') refsOf(t.items, out);
  else if (t.kind === 'map') refsOf(t.values, out);
}

/** Schemas for `roots` and every definition they reach. Unknown names become open objects. */
export function schemaClosure(roots: Iterable<string>, reg: SchemaRegistry): Record<string, JsonSchema> {
  const out = new Map<string, JsonSchema>();
  const todo = [...roots];
  while (todo.length) {
    const name = todo.pop();
    if (name === undefined || out.has(name)) continue;
    const d = reg.getDefinition(name);
    if (!d) {
      out.set(name, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
      continue;
    }
    out.set(name, definitionSchema(d));
    const refs: string[] = [];
    if (d.kind === 'object') for (const f of Object.values(d.fields)) refsOf(f.type, refs);
    else refsOf(d.type, refs);
    todo.push(...refs);
  }
  const sorted: Record<string, JsonSchema> = {};
  for (const k of [...out.keys()].sort()) {
    const v = out.get(k);
    if (v) sorted[k] = v;
  }
  return sorted;
}
