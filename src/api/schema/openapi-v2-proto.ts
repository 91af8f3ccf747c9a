// The OpenAPI v2 document in gnostic's protobuf form (package openapi.v2, the only form kubectl
// reads from /openapi/v2). Only the messages a Kubernetes document needs are written: Document,
// Info, Definitions/Properties (NamedSchema), Schema (ref, format, description, required, type,
// items, additionalProperties, properties, vendor extensions). Vendor extension values are
// `Any.yaml` texts; JSON is YAML, so they are written as JSON.

import type { JsonSchema } from './openapi-v3-schemas.js';
import type { OpenApiV2 } from './openapi-v2.js';

/** What kubectl sends in Accept for /openapi/v2 (both spellings are in use). */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
export const OPENAPI_V2_PROTOBUF_ALT = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

// Field numbers of gnostic's openapiv2.proto
const DOC = { swagger: 1, info: 2, paths: 8, definitions: 9 } as const;
const INFO = { title: 1, version: 2 } as const;
const SCHEMA = {
  ref: 1,
  format: 2,
  title: 3,
  description: 4,
  required: 19,
  additionalProperties: 21,
  type: 22,
  items: 23,
  properties: 25,
  vendorExtension: 31,
} as const;
const NAMED = { name: 1, value: 2 } as const; // NamedSchema, NamedAny
const ANY_YAML = 2;
const ADDITIONAL = { schema: 1, boolean: 2 } as const;

/** A protobuf message under construction: chunks, joined once. */
class Msg {
  private readonly parts: Buffer[] = [];
  private size = 0;
  private push(b: Buffer) {
    this.parts.push(b);
    this.size += b.length;
  }
  private varint(n: number) {
    const bytes: number[] = [];
    let v = n;
    while (v >= 0x80) {
      bytes.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    bytes.push(v);
    this.push(Buffer.from(bytes));
  }
  private key(field: number, wire: number) {
    this.varint(field * 8 + wire);
  }
  bytes(field: number, b: Buffer): this {
    this.key(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }
  string(field: number, s: string): this {
    return s === '' ? this : this.bytes(field, Buffer.from(s, 'utf8'));
  }
  message(field: number, m: Msg): this {
    return this.bytes(field, m.finish());
  }
  bool(field: number, b: boolean): this {
    if (b) {
      this.key(field, 0);
      this.varint(1);
    }
    return this;
  }
  finish(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}

function schemaMsg(s: JsonSchema): Msg {
  const m = new Msg();
  if (typeof s['$ref'] === 'string') return m.string(SCHEMA.ref, s['$ref']);
  if (typeof s['format'] === 'string') m.string(SCHEMA.format, s['format']);
  if (typeof s['title'] === 'string') m.string(SCHEMA.title, s['title']);
  if (typeof s['description'] === 'string') m.string(SCHEMA.description, s['description']);
  if (Array.isArray(s['required'])) for (const r of s['required']) m.string(SCHEMA.required, String(r));
  const ap = s['additionalProperties'];
  if (typeof ap === 'boolean') m.message(SCHEMA.additionalProperties, new Msg().bool(ADDITIONAL.boolean, ap));
  else if (ap && typeof ap === 'object')
    m.message(SCHEMA.additionalProperties, new Msg().message(ADDITIONAL.schema, schemaMsg(ap as JsonSchema)));
  if (typeof s['type'] === 'string') m.message(SCHEMA.type, new Msg().string(1, s['type']));
  const items = s['items'];
  if (items && typeof items === 'object' && !Array.isArray(items))
    m.message(SCHEMA.items, new Msg().message(1, schemaMsg(items as JsonSchema)));
  const props = s['properties'];
  if (props && typeof props === 'object') {
    const pm = new Msg();
    for (const [name, ps] of Object.entries(props as Record<string, JsonSchema>)) {
      pm.message(1, new Msg().string(NAMED.name, name).message(NAMED.value, schemaMsg(ps)));
    }
    m.message(SCHEMA.properties, pm);
  }
  for (const [k, v] of Object.entries(s)) {
    if (!k.startsWith('x-')) continue;
    m.message(
      SCHEMA.vendorExtension,
      new Msg().string(NAMED.name, k).message(NAMED.value, new Msg().string(ANY_YAML, `${JSON.stringify(v)}\n`)),
    );
  }
  return m;
}

/** The gnostic openapi.v2.Document bytes of `doc`. */
export function encodeOpenApiV2(doc: OpenApiV2): Buffer {
  const defs = new Msg();
  for (const [name, s] of Object.entries(doc.definitions))
    defs.message(1, new Msg().string(NAMED.name, name).message(NAMED.value, schemaMsg(s)));
  return new Msg()
    .string(DOC.swagger, doc.swagger)
    .message(DOC.info, new Msg().string(INFO.title, doc.info.title).string(INFO.version, doc.info.version))
    .message(DOC.paths, new Msg())
    .message(DOC.definitions, defs)
    .finish();
}
