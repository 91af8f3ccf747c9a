// A CRD schema as it may arrive (any JSON) turned into one every function here can walk without
// checking types: members of the wrong JSON type and unknown keywords are dropped. Whether a CRD's
// schema has the right JSON types is the CRD object's own type check; this keeps a bad one from
// crashing the walk. Results are cached per schema object, as the same schemas serve every request.

import { isPlainObject, type Schema } from './access.js';

const STRINGS = [
  'type',
  'format',
  'pattern',
  'id',
  '$ref',
  '$schema',
  'description',
  'title',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
] as const;
const NUMBERS = [
  'maximum',
  'minimum',
  'maxLength',
  'minLength',
  'maxItems',
  'minItems',
  'maxProperties',
  'minProperties',
  'multipleOf',
] as const;
const BOOLEANS = [
  'exclusiveMaximum',
  'exclusiveMinimum',
  'nullable',
  'uniqueItems',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
] as const;
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions'] as const;
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'] as const;

const cache = new WeakMap<object, Schema>();

function schemaMap(v: unknown): Record<string, Schema> | undefined {
  if (!isPlainObject(v)) return undefined;
  const out: Record<string, Schema> = {};
  for (const [k, x] of Object.entries(v)) if (isPlainObject(x)) out[k] = normalizeSchema(x);
  return out;
}

const schemaList = (v: unknown): Schema[] | undefined =>
  Array.isArray(v) ? v.filter(isPlainObject).map((x) => normalizeSchema(x)) : undefined;
const schemaOrBool = (v: unknown): unknown => (typeof v === 'boolean' ? v : isPlainObject(v) ? normalizeSchema(v) : undefined);

function build(s: Record<string, unknown>): Schema {
  const out: Record<string, unknown> = {};
  for (const k of STRINGS) if (typeof s[k] === 'string') out[k] = s[k];
  for (const k of NUMBERS) if (typeof s[k] === 'number' && Number.isFinite(s[k])) out[k] = s[k];
  for (const k of BOOLEANS) if (typeof s[k] === 'boolean') out[k] = s[k];
  for (const k of SCHEMA_MAPS) {
    const m = schemaMap(s[k]);
    if (m) out[k] = m;
  }
  for (const k of SCHEMA_LISTS) {
    const l = schemaList(s[k]);
    if (l) out[k] = l;
  }
  if (isPlainObject(s.not)) out.not = normalizeSchema(s.not);
  if (isPlainObject(s.items)) out.items = normalizeSchema(s.items);
  else if (Array.isArray(s.items)) out.items = schemaList(s.items);
  for (const k of ['additionalProperties', 'additionalItems'] as const) {
    const v = schemaOrBool(s[k]);
    if (v !== undefined) out[k] = v;
  }
  for (const k of ['required', 'x-kubernetes-list-map-keys'] as const)
    if (Array.isArray(s[k])) out[k] = (s[k] as unknown[]).filter((x): x is string => typeof x === 'string');
  if (Array.isArray(s.enum)) out.enum = s.enum;
  for (const k of ['default', 'example', 'dependencies', 'externalDocs'] as const) if (s[k] !== undefined) out[k] = s[k];
  if (Array.isArray(s['x-kubernetes-validations']))
    out['x-kubernetes-validations'] = (s['x-kubernetes-validations'] as unknown[]).filter(isPlainObject);
  return out as Schema;
}

/** The schema with every member of the JSON type its keyword requires. */
export function normalizeSchema(s: unknown): Schema {
  if (!isPlainObject(s)) return {};
  let n = cache.get(s);
  if (!n) {
    n = build(s);
    cache.set(s, n);
  }
  return n;
}
