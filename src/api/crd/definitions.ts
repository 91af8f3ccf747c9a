// A CRD version's schema as Tandem structural definitions, so that custom kinds go through the same
// registry as built-in ones (strategic merge and apply list handling, OpenAPI, explain, unknown-field
// checks). Nested objects get names derived from the kind's definition name and the field path
// (`<root>.spec`, `<root>.spec.ports.item`, `<root>.spec.labels.value`); apiVersion/kind/metadata at the
// root are always the standard ones.

import type { Definition, DefinitionMap, FieldDef, GVK, Primitive, TypeRef } from '../schema/types.js';
import { additionalOf, itemsOf, propsOf, type Schema } from './access.js';
import { normalizeSchema } from './normalize.js';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const PRIMS = new Set(['string', 'integer', 'number', 'boolean']);
const META_FIELDS: Record<string, FieldDef> = {
  apiVersion: { type: { kind: 'prim', type: 'string' } },
  kind: { type: { kind: 'prim', type: 'string' } },
  metadata: { type: { kind: 'ref', ref: OBJECT_META } },
};

type Out = Record<string, Definition>;

function withDefault(t: TypeRef, s: Schema): TypeRef {
  if (s.default === undefined || s.default === null) return t;
  if (t.kind === 'prim' || t.kind === 'ref') return { ...t, default: s.default };
  return t;
}

function objectDef(s: Schema, name: string, out: Out, top: boolean): void {
  const fields: Record<string, FieldDef> = {};
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (top || embedded) Object.assign(fields, META_FIELDS);
  for (const [k, ps] of Object.entries(propsOf(s))) {
    if ((top || embedded) && k in META_FIELDS) continue;
    fields[k] = fieldDef(ps, `${name}.${k}`, out);
  }
  const def: Extract<Definition, { kind: 'object' }> = { kind: 'object', fields };
  const required = (s.required ?? []).filter((r) => !(top && r in META_FIELDS));
  const extra: { required?: string[]; mapType?: 'atomic' | 'granular'; preserveUnknownFields?: boolean } = {};
  if (required.length) extra.required = required;
  const mt = s['x-kubernetes-map-type'];
  if (mt === 'atomic' || mt === 'granular') extra.mapType = mt;
  if (s['x-kubernetes-preserve-unknown-fields']) extra.preserveUnknownFields = true;
  out[name] = { ...def, ...extra };
}

/** The type of a value with schema `s`; object schemas become definitions named `name`. */
function typeOf(s: Schema, name: string, out: Out): TypeRef {
  if (s['x-kubernetes-int-or-string']) return { kind: 'prim', type: 'string', format: 'int-or-string' };
  const type = s.type;
  if (type && PRIMS.has(type)) {
    const t: { kind: 'prim'; type: Primitive; format?: string; enum?: readonly string[] } = { kind: 'prim', type: type as Primitive };
    if (s.format) t.format = s.format;
    if (s.enum?.length && s.enum.every((e: unknown) => typeof e === 'string')) t.enum = s.enum as unknown as string[];
    return t;
  }
  if (type === 'array') {
    const items = itemsOf(s);
    return { kind: 'array', items: items ? withDefault(typeOf(items, `${name}.item`, out), items) : { kind: 'any' } };
  }
  const props = Object.keys(propsOf(s));
  const add = additionalOf(s);
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (type === 'object' || embedded) {
    if (add?.schema && !props.length) return { kind: 'map', values: withDefault(typeOf(add.schema, `${name}.value`, out), add.schema) };
    if (!props.length && !embedded && (add?.allows || s['x-kubernetes-preserve-unknown-fields'])) return { kind: 'any' };
    objectDef(s, name, out, false);
    return { kind: 'ref', ref: name };
  }
  // no type: only x-kubernetes-preserve-unknown-fields allows this, i.e. anything goes
  return { kind: 'any' };
}

function fieldDef(s: Schema, name: string, out: Out): FieldDef {
  const f: FieldDef = { type: typeOf(s, name, out) };
  const lt = s['x-kubernetes-list-type'];
  if (lt === 'atomic' || lt === 'set' || lt === 'map') f.listType = lt;
  const keys = s['x-kubernetes-list-map-keys'];
  if (keys?.length) f.listMapKeys = keys;
  const mt = s['x-kubernetes-map-type'];
  if ((mt === 'atomic' || mt === 'granular') && f.type.kind === 'map') f.mapType = mt;
  if (s.default !== undefined && s.default !== null) f.default = s.default;
  return f;
}

export function toDefinitions(raw: Schema, rootName: string, gvk: GVK): DefinitionMap {
  const schema = normalizeSchema(raw);
  const out: Out = {};
  objectDef(schema, rootName, out, true);
  const root = out[rootName] as Extract<Definition, { kind: 'object' }>;
  out[rootName] = { ...root, gvk: [gvk] };
  return out;
}
