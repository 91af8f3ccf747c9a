// The OpenAPI v2 (Swagger 2.0) document, for the clients that still ask for it: kubectl validates
// `kind: List` manifests (and anything of a group-version missing from v3) on the client against
// /openapi/v2, which it reads only as gnostic protobuf (openapi-v2-proto.ts). Definitions come from
// the same schemas as the v3 documents; paths are not listed (kubectl's validation reads only the
// definitions and their x-kubernetes-group-version-kind).

import type { KindDef } from '../kind.js';
import { schemaRegistry, type SchemaRegistry } from './registry.js';
import { REF_PREFIX, schemaClosure, type JsonSchema } from './openapi-v3-schemas.js';

export const V2_REF_PREFIX = '#/definitions/';

export interface OpenApiV2 {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, never>;
  definitions: Record<string, JsonSchema>;
}

const v2Ref = (ref: unknown) => ({ $ref: String(ref).replace(REF_PREFIX, V2_REF_PREFIX) });

/** A v3-layout schema in v2 form: `$ref`s to #/definitions/ (a single allOf ref becomes a plain ref, as in upstream's v2). */
function toV2Schema(s: JsonSchema): JsonSchema {
  if (typeof s['$ref'] === 'string') return v2Ref(s['$ref']);
  const allOf = s['allOf'];
  if (Array.isArray(allOf) && allOf.length === 1 && typeof (allOf[0] as JsonSchema)['$ref'] === 'string')
    return v2Ref((allOf[0] as JsonSchema)['$ref']);
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v as Record<string, JsonSchema>).map(([p, ps]) => [p, toV2Schema(ps)]));
    } else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object') {
      out[k] = toV2Schema(v as JsonSchema);
    } else if (k === 'oneOf' || k === 'anyOf' || k === 'allOf') {
      // v2 has no oneOf; such scalars (Quantity, IntOrString) are left open, as any value
    } else {
      out[k] = v;
    }
  }
  return out;
}

export function buildOpenApiV2(kinds: readonly KindDef[], reg: SchemaRegistry = schemaRegistry): OpenApiV2 {
  const roots = new Set<string>(['io.k8s.apimachinery.pkg.apis.meta.v1.Status']);
  for (const k of kinds) roots.add(reg.definitionForGVK({ group: k.group, version: k.version, kind: k.kind }) ?? k.schema);
  const definitions: Record<string, JsonSchema> = {};
  for (const [name, s] of Object.entries(schemaClosure(roots, reg))) definitions[name] = toV2Schema(s);
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'unversioned' }, paths: {}, definitions };
}
