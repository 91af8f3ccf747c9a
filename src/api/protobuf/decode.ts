// Decodes `application/vnd.kubernetes.protobuf` request bodies: the magic `k8s\0`, then a runtime.Unknown
// envelope {typeMeta=1 {apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4} whose `raw` is the
// object's own message. The result is the object's plain JSON form, as a JSON body would have carried it.

import type { JsonObject } from '../object.js';
import { isStatusError, badRequest, type StatusError } from '../../base/errors.js';
import { ProtoReader, malformed } from './reader.js';
import { decodeMessage } from './message-decoder.js';
import { protobufDefinitionFor } from './kinds.js';

const PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export interface DecodedProtobuf {
  apiVersion: string;
  kind: string;
  object: JsonObject;
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

const utf8 = new TextDecoder('utf-8');

function readTypeMeta(r: ProtoReader, env: Envelope): void {
  while (!r.done) {
    const { field, wire } = r.tag();
    if ((field === 1 || field === 2) && wire === 2) {
      const s = utf8.decode(r.bytes());
      if (field === 1) env.apiVersion = s;
      else env.kind = s;
    } else r.skip(wire);
  }
}

function readEnvelope(body: Uint8Array): Envelope {
  const env: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '' };
  const r = new ProtoReader(body, PROTOBUF_MAGIC.length);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field >= 1 && field <= 4 && wire !== 2) throw malformed(`wrong wire type ${wire} in the Unknown envelope`);
    switch (field) {
      case 1:
        readTypeMeta(r.sub(), env);
        break;
      case 2:
        env.raw = r.bytes();
        break;
      case 3:
        env.contentEncoding = utf8.decode(r.bytes());
        break;
      case 4:
        env.contentType = utf8.decode(r.bytes());
        break;
      default:
        r.skip(wire);
    }
  }
  return env;
}

function hasMagic(body: Uint8Array): boolean {
  return body.length >= PROTOBUF_MAGIC.length && PROTOBUF_MAGIC.every((b, i) => body[i] === b);
}

/**
 * Decodes a Kubernetes protobuf body into `{ apiVersion, kind, object }`, where `object` is the plain JSON
 * object with `apiVersion` and `kind` set. Throws only 400 BadRequest StatusErrors.
 */
export function decodeKubernetesProtobuf(body: Uint8Array): DecodedProtobuf {
  try {
    if (!hasMagic(body)) throw badRequest('invalid protobuf body: it does not start with the Kubernetes protobuf magic "k8s\\x00"');
    const env = readEnvelope(body);
    if (!env.kind || !env.apiVersion) throw badRequest('invalid protobuf body: the envelope has no apiVersion or kind');
    if (env.contentEncoding)
      throw badRequest(`invalid protobuf body: content encoding ${JSON.stringify(env.contentEncoding)} is not supported`);
    const inner = env.contentType.split(';')[0]?.trim() ?? '';
    if (inner === 'application/json') return finish(env, parseJsonObject(env.raw));
    if (inner !== '' && inner !== 'application/vnd.kubernetes.protobuf') {
      throw badRequest(`invalid protobuf body: embedded content type ${JSON.stringify(env.contentType)} is not supported`);
    }
    const def = protobufDefinitionFor(env.apiVersion, env.kind);
    if (!def)
      throw badRequest(
        `protobuf bodies are not supported for kind ${JSON.stringify(env.kind)} in ${JSON.stringify(env.apiVersion)}; send JSON instead`,
      );
    const decoded = decodeMessage(new ProtoReader(env.raw), def);
    if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded))
      throw malformed(`${env.kind} did not decode to an object`);
    return finish(env, decoded);
  } catch (e) {
    throw asBadRequest(e);
  }
}

function finish(env: Envelope, decoded: JsonObject): DecodedProtobuf {
  const object: JsonObject = { ...decoded, apiVersion: env.apiVersion, kind: env.kind };
  return { apiVersion: env.apiVersion, kind: env.kind, object };
}

function parseJsonObject(raw: Uint8Array): JsonObject {
  let v: unknown;
  try {
    v = JSON.parse(utf8.decode(raw));
  } catch {
    throw malformed('the embedded JSON is not valid');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw malformed('the embedded JSON is not an object');
  return v as JsonObject;
}

/** Anything unexpected (e.g. a RangeError from a hostile input) still becomes a 400. */
function asBadRequest(e: unknown): StatusError {
  if (isStatusError(e) && e.code === 400) return e;
  return badRequest(`invalid protobuf body: ${e instanceof Error ? e.message : String(e)}`);
}
