// Typed access to the loose parts of a JSONSchemaProps as it arrives on the wire: `items` may be a schema
// or (forbidden) an array, `additionalProperties` a schema or a boolean. Every other file of src/api/crd/
// reads schemas through these helpers so that the wire shapes are interpreted in one place.

import type { JSONSchemaProps } from '../gen/types.js';

export type Schema = JSONSchemaProps;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The single items schema (undefined when absent or given as an array of schemas). */
export function itemsOf(s: Schema): Schema | undefined {
  return isObj(s.items) ? (s.items as Schema) : undefined;
}

/** additionalProperties: absent, a boolean, or a schema. */
export interface Additional {
  allows: boolean;
  schema?: Schema;
}
export function additionalOf(s: Schema): Additional | undefined {
  const a: unknown = s.additionalProperties;
  if (a === undefined || a === null) return undefined;
  if (typeof a === 'boolean') return { allows: a };
  if (isObj(a)) return { allows: true, schema: a as Schema };
  return undefined;
}

export const propsOf = (s: Schema): Record<string, Schema> => s.properties ?? {};

export const isPlainObject = isObj;

/** Whether the schema carries a default (a JSON null default counts as none, as upstream). */
export const hasDefault = (s: Schema | undefined): boolean => s !== undefined && s.default !== undefined && s.default !== null;

/** upstream's field.Path rendering for schema paths: `.child`, `[key]`, `[index]`. */
export const child = (p: string, name: string): string => (p ? `${p}.${name}` : name);
export const key = (p: string, k: string | number): string => `${p}[${k}]`;

/** Deep copy of a JSON value. */
export function copyJson<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x: unknown) => copyJson(x)) as T;
  if (isObj(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = copyJson(v[k]);
    return out as T;
  }
  return v;
}

/** The JSON type name of a value as kube-openapi reports it: string, integer, number, boolean, array, object, null. */
export function jsonTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'object') return 'object';
  return typeof v;
}
