// Messages whose JSON form is not an object: Time, MicroTime, Quantity, IntOrString, FieldsV1, RawExtension, and Go
// string-list types that protobuf wraps in a message (UserInfo's ExtraValue).
// Each converter gets the message decoded field by field and returns its JSON value, or
// undefined when the value is the zero value that Go's JSON encoding writes as null (omitted here).

import type { Json, JsonObject } from '../object.js';
import { malformed } from './reader.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const MIN_SECONDS = -62135596800; // 0001-01-01T00:00:00Z
const MAX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z

function seconds(o: JsonObject, what: string): number | undefined {
  const s = o.seconds;
  if (s === undefined) return o.nanos === undefined ? undefined : 0;
  if (typeof s !== 'number' || s < MIN_SECONDS || s > MAX_SECONDS) throw malformed(`${what} out of range`);
  return s;
}

/** RFC 3339 with whole seconds; the nanoseconds are ignored, as upstream's protobuf decoding does. */
function time(o: JsonObject): Json | undefined {
  const s = seconds(o, 'Time');
  if (s === undefined) return undefined;
  return new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 3339 with exactly six fractional digits (microseconds, truncated). */
function microTime(o: JsonObject): Json | undefined {
  const s = seconds(o, 'MicroTime');
  if (s === undefined) return undefined;
  const nanos = typeof o.nanos === 'number' ? o.nanos : 0;
  if (nanos < 0 || nanos > 999_999_999) throw malformed('MicroTime nanos out of range');
  const micros = String(Math.floor(nanos / 1000)).padStart(6, '0');
  return new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, `.${micros}Z`);
}

function quantity(o: JsonObject): Json {
  return typeof o.string === 'string' ? o.string : '';
}

/** type 0 → the integer, type 1 → the string. */
function intOrString(o: JsonObject): Json {
  const t = o.type ?? 0;
  if (t === 0) return typeof o.intVal === 'number' ? o.intVal : 0;
  if (t === 1) return typeof o.strVal === 'string' ? o.strVal : '';
  throw malformed(`IntOrString type ${JSON.stringify(t)} is not 0 or 1`);
}

/** FieldsV1 carries its JSON document as bytes (already base64 here; decode it back). */
function fieldsV1(o: JsonObject): Json | undefined {
  if (typeof o.Raw !== 'string' || o.Raw === '') return undefined;
  try {
    return JSON.parse(Buffer.from(o.Raw, 'base64').toString('utf8')) as Json;
  } catch {
    throw malformed('FieldsV1 does not hold valid JSON');
  }
}

/** RawExtension (ControllerRevision.data) carries an embedded object's JSON as bytes. */
function rawExtension(o: JsonObject): Json | undefined {
  if (typeof o.raw !== 'string' || o.raw === '') return undefined;
  try {
    return JSON.parse(Buffer.from(o.raw, 'base64').toString('utf8')) as Json;
  } catch {
    throw malformed('RawExtension does not hold valid JSON');
  }
}

/** `message X { repeated string items = 1; }` standing for a Go `[]string` type: its JSON is the list. */
export const STRING_LISTS: ReadonlySet<string> = new Set([
  'io.k8s.api.authentication.v1.ExtraValue',
  'io.k8s.api.authorization.v1.ExtraValue',
  'io.k8s.api.certificates.v1.ExtraValue',
]);
const stringList = (o: JsonObject): Json => (Array.isArray(o.items) ? o.items : []);

export const WELL_KNOWN: Readonly<Record<string, (o: JsonObject) => Json | undefined>> = {
  ...Object.fromEntries([...STRING_LISTS].map((m) => [m, stringList])),
  [`${META}Time`]: time,
  [`${META}MicroTime`]: microTime,
  [`${META}FieldsV1`]: fieldsV1,
  'io.k8s.apimachinery.pkg.runtime.RawExtension': rawExtension,
  'io.k8s.apimachinery.pkg.api.resource.Quantity': quantity,
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': intOrString,
};
