// Dev-time generator: writes src/api/gen/types.ts, the TypeScript interfaces of every definition that
// src/api/gen/definitions.ts holds, from the same Kubernetes 1.32 OpenAPI documents and the same roots
// (scripts/gen-schema.ts). Only structure is emitted: names, field types, which fields are required.
// Usage: node dist/scripts/gen-types.js [--out FILE] [--ref DIR]
//
// Conventions of the emitted types (what a reader of src/api/gen/types.ts needs to know):
// - A definition keeps its short name (`PodSpec`); when two groups share a short name, the core/v1 or
//   meta/v1 one keeps it and the others are prefixed with group and version (`EventsV1Event`).
// - Fields listed as required in the OpenAPI document are required; all others are optional.
// - A top-level kind (one with a group-version-kind) always has `apiVersion`, `kind` and `metadata`:
//   the API server sets them on everything it stores and serves.
// - `Time` and `MicroTime` fields may be null, as upstream encodes a zero timestamp (`lastProbeTime: null`).
// - Free-form JSON (FieldsV1, RawExtension, Patch, preserve-unknown-fields) is `JsonObject` or `unknown`.
// Objects read from a request before validation are typed `Unvalidated<T>` (src/api/unvalidated.ts).

import { pathToFileURL } from 'node:url';
import type { Definition, TypeRef } from '../src/api/schema/types.js';
import { buildDefinitions, loadSchemas, ROOTS, runGenerator } from './gen-schema.js';

const CORE_PREFIXES = ['io.k8s.api.core.v1.', 'io.k8s.apimachinery.pkg.apis.meta.v1.'];
const TIME_DEFS = new Set(['io.k8s.apimachinery.pkg.apis.meta.v1.Time', 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime']);

const shortName = (full: string) => full.slice(full.lastIndexOf('.') + 1);
const pascal = (s: string) =>
  s
    .split(/[.-]/)
    .map((p) => (p ? p[0]!.toUpperCase() + p.slice(1) : ''))
    .join('');

/** Definition name -> emitted TypeScript name (short, prefixed by group and version on a collision). */
export function typeNames(names: readonly string[]): Map<string, string> {
  const byShort = new Map<string, string[]>();
  for (const n of names) byShort.set(shortName(n), [...(byShort.get(shortName(n)) ?? []), n]);
  const out = new Map<string, string>();
  for (const [short, fulls] of byShort) {
    for (const full of fulls) {
      const core = CORE_PREFIXES.some((p) => full.startsWith(p));
      if (fulls.length === 1 || core) {
        out.set(full, short);
        continue;
      }
      // io.k8s.api.<group>.<version>.<Kind>
      const parts = full.split('.');
      const version = parts[parts.length - 2] ?? '';
      const group = parts[parts.length - 3] ?? '';
      out.set(full, `${pascal(group)}${pascal(version)}${short}`);
    }
  }
  const seen = new Set<string>();
  for (const t of out.values()) {
    if (seen.has(t)) throw new Error(`two definitions would both be emitted as ${t}`);
    seen.add(t);
  }
  return out;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (k: string) => (IDENT.test(k) ? k : `'${k.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);

function tsType(t: TypeRef, names: Map<string, string>): string {
  switch (t.kind) {
    case 'prim':
      if (t.format === 'int-or-string') return 'IntOrString';
      return t.type === 'integer' ? 'number' : t.type;
    case 'ref': {
      const n = names.get(t.ref);
      if (!n) throw new Error(`no type name for ${t.ref}`);
      return TIME_DEFS.has(t.ref) ? `${n} | null` : n;
    }
    case 'array': {
      const inner = tsType(t.items, names);
      return inner.includes('|') ? `Array<${inner}>` : `${inner}[]`;
    }
    case 'map':
      return `Record<string, ${tsType(t.values, names)}>`;
    case 'any':
      return 'unknown';
  }
}

function emitScalar(name: string, d: Extract<Definition, { kind: 'scalar' }>): string {
  if (d.type.kind === 'any') return `export type ${name} = JsonObject;\n`;
  // base/ models int-or-string values already (scaling, percents): one type for both
  if (d.type.kind === 'prim' && d.type.format === 'int-or-string') return `export type ${name} = BaseIntOrString;\n`;
  if (d.oneOf && d.oneOf.length > 1) {
    const ts = [...new Set(d.oneOf.map((p) => (p === 'integer' ? 'number' : p)))];
    return `export type ${name} = ${ts.join(' | ')};\n`;
  }
  if (d.type.kind === 'prim') return `export type ${name} = ${d.type.type === 'integer' ? 'number' : d.type.type};\n`;
  throw new Error(`unsupported scalar ${name}`);
}

function emitObject(name: string, d: Extract<Definition, { kind: 'object' }>, names: Map<string, string>): string {
  const required = new Set(d.required ?? []);
  const top = d.gvk !== undefined && d.gvk.length > 0;
  if (top) for (const k of ['apiVersion', 'kind', 'metadata']) if (k in d.fields) required.add(k);
  const lines = Object.keys(d.fields).map((k) => {
    const f = d.fields[k];
    if (!f) return '';
    return `  ${key(k)}${required.has(k) ? '' : '?'}: ${tsType(f.type, names)};\n`;
  });
  if (d.preserveUnknownFields) lines.push('  [field: string]: unknown;\n');
  return `export interface ${name} {\n${lines.join('')}}\n`;
}

export function emitTypes(defs: Map<string, Definition>): string {
  const names = typeNames([...defs.keys()]);
  const body = [...defs.entries()]
    .map(([full, d]) => {
      const n = names.get(full) ?? '';
      return `/** ${full} */\n${d.kind === 'scalar' ? emitScalar(n, d) : emitObject(n, d, names)}`;
    })
    .join('\n');
  return `// Generated by scripts/gen-types.ts from the Kubernetes 1.32 OpenAPI documents (names, field types and
// required fields of every definition in definitions.ts; no descriptions). Do not edit by hand: run
// \`node dist/scripts/gen-types.js\`. The conventions are in the header of scripts/gen-types.ts.

import type { IntOrString as BaseIntOrString } from '../../base/int-or-string.js';

export type JsonObject = { [key: string]: unknown };

${body}`;
}

/** The whole generated module for the reference documents in `refDir`. */
export function generateTypes(refDir: string): string {
  return emitTypes(buildDefinitions(loadSchemas(refDir), ROOTS));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  runGenerator(process.argv.slice(2), 'types.ts', generateTypes);
