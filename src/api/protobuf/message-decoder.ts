// Decodes one Kubernetes protobuf message into its plain JSON form, driven by the generated field table.
// Unknown field numbers are skipped; nesting is bounded; every malformed input is a 400 StatusError.

import type { Json, JsonObject } from '../object.js';
import { PROTO_TAGS, type ProtoField, type ProtoValue } from '../gen/proto-tags.js';
import { ProtoReader, malformed, type WireType } from './reader.js';
import { WELL_KNOWN } from './well-known.js';

/** Deepest message nesting accepted (the served schemas need far fewer levels). */
const MAX_DEPTH = 64;

const utf8 = new TextDecoder('utf-8');

const wireOf = (v: ProtoValue): WireType =>
  v.type === 'int32' || v.type === 'int64' || v.type === 'bool' ? 0 : v.type === 'double' ? 1 : 2;

const isZero = (v: Json) => v === '' || v === 0 || v === false;

function scalar(r: ProtoReader, v: ProtoValue): Json {
  switch (v.type) {
    case 'string':
      return utf8.decode(r.bytes());
    case 'bytes':
      return Buffer.from(r.bytes()).toString('base64');
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'bool':
      return r.bool();
    case 'double':
      return r.double();
    case 'message':
      throw malformed('internal: message read as a scalar');
  }
}

/** The value of one field occurrence; undefined for a zero Time and the like. */
function value(r: ProtoReader, wire: WireType, v: ProtoValue, where: string, depth: number): Json | undefined {
  if (wire !== wireOf(v)) throw malformed(`wrong wire type ${wire} for ${where}`);
  if (v.type !== 'message') return scalar(r, v);
  return decodeMessage(r.sub(), v.message ?? '', depth + 1);
}

/** The zero value of a map entry's missing value. */
function zeroOf(v: ProtoValue, depth: number): Json | undefined {
  switch (v.type) {
    case 'string':
    case 'bytes':
      return '';
    case 'int32':
    case 'int64':
      return 0;
    case 'bool':
      return false;
    case 'double':
      return 0;
    case 'message':
      return decodeMessage(new ProtoReader(new Uint8Array(0)), v.message ?? '', depth + 1);
  }
}

function mapEntry(r: ProtoReader, f: ProtoField, where: string, depth: number): [string, Json | undefined] {
  const valueType = f.map?.value ?? { type: 'string' };
  let key = '';
  let val: Json | undefined;
  let seen = false;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) {
      if (wire !== 2) throw malformed(`wrong wire type ${wire} for the key of ${where}`);
      key = utf8.decode(r.bytes());
    } else if (field === 2) {
      val = value(r, wire, valueType, `${where}[${JSON.stringify(key)}]`, depth);
      seen = true;
    } else r.skip(wire);
  }
  return [key, seen ? val : zeroOf(valueType, depth)];
}

function asObject(out: JsonObject, name: string): JsonObject {
  const cur = out[name];
  if (cur !== null && typeof cur === 'object' && !Array.isArray(cur)) return cur;
  const fresh: JsonObject = {};
  out[name] = fresh;
  return fresh;
}

function asArray(out: JsonObject, name: string): Json[] {
  const cur = out[name];
  if (Array.isArray(cur)) return cur;
  const fresh: Json[] = [];
  out[name] = fresh;
  return fresh;
}

/**
 * Decodes the message `def` (an OpenAPI definition name such as `io.k8s.api.core.v1.PodSpec`) from `r`
 * to its JSON value: an object for most messages, a string or number for the well-known scalars.
 */
export function decodeMessage(r: ProtoReader, def: string, depth = 0): Json | undefined {
  if (depth > MAX_DEPTH) throw malformed(`nesting deeper than ${MAX_DEPTH} levels`);
  const tags = PROTO_TAGS[def];
  if (!tags) throw malformed(`no protobuf schema for ${def}`);
  const out: JsonObject = {};
  const short = def.slice(def.lastIndexOf('.') + 1);
  while (!r.done) {
    const { field, wire } = r.tag();
    const f = tags[field];
    if (!f) {
      r.skip(wire);
      continue;
    }
    const where = `${short}.${f.name}`;
    if (f.map) {
      if (wire !== 2) throw malformed(`wrong wire type ${wire} for ${where}`);
      const [k, v] = mapEntry(r.sub(), f, where, depth);
      if (v !== undefined) asObject(out, f.name)[k] = v;
      continue;
    }
    if (f.repeated) {
      const arr = asArray(out, f.name);
      if (wire === 2 && wireOf(f) !== 2) {
        const packed = r.sub();
        while (!packed.done) arr.push(scalar(packed, f));
      } else {
        const v = value(r, wire, f, where, depth);
        arr.push(v === undefined ? null : v);
      }
      continue;
    }
    const v = value(r, wire, f, where, depth);
    if (f.inline && v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, v);
    else if (v === undefined || (f.omitEmpty && isZero(v))) delete out[f.name];
    else out[f.name] = v;
  }
  const convert = WELL_KNOWN[def];
  return convert ? convert(out) : out;
}
