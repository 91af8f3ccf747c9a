// Reads and decodes request bodies: size limit, JSON / YAML / protobuf, nesting limit.

import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, tooLarge, unsupportedMediaType, StatusError } from '../../base/errors.js';
import { decodeKubernetesProtobuf } from '../../api/protobuf/index.js';

/** Upstream's limit for a request body (3 MiB). */
const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** Deepest nesting accepted in a decoded document. */
const MAX_DEPTH = 100;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      reject(tooLarge(`the request body is too large: ${declared} bytes, the limit is ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge(`the request body is too large: more than ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) {
        failed = true;
        // the client went away mid-body: nothing to answer, and not a server fault to log as one
        reject(badRequest(`the request body was not received completely: ${e.message}`));
      }
    });
  });
}

export type MediaKind = 'json' | 'yaml' | 'protobuf' | 'json-patch' | 'merge-patch' | 'strategic-merge-patch' | 'apply-patch';

/** Maps a Content-Type to a media kind; a missing Content-Type is JSON (kubectl scale --current-replicas sends none). */
export function mediaKindOf(contentType: string | undefined): MediaKind {
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  switch (ct) {
    case '':
    case 'application/json':
    case '*/*':
      return 'json';
    case 'application/yaml':
    case 'application/x-yaml':
    case 'text/yaml':
      return 'yaml';
    case 'application/vnd.kubernetes.protobuf':
      return 'protobuf';
    case 'application/json-patch+json':
      return 'json-patch';
    case 'application/merge-patch+json':
      return 'merge-patch';
    case 'application/strategic-merge-patch+json':
      return 'strategic-merge-patch';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+json':
      return 'apply-patch';
    default:
      throw unsupportedMediaType(contentType ?? '');
  }
}

/** Throws 400 when a decoded body nests deeper than MAX_DEPTH (recursion is bounded by it). */
function checkDepth(root: unknown): void {
  if (!withinDepth(root, 1)) throw badRequest(`the request body is nested more than ${MAX_DEPTH} levels deep`);
}

function withinDepth(v: unknown, d: number): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (d > MAX_DEPTH) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (typeof x === 'object' && x !== null && !withinDepth(x, d + 1)) return false;
  } else {
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (typeof x === 'object' && x !== null && !withinDepth(x, d + 1)) return false;
    }
  }
  return true;
}

function parseJsonText(text: string): unknown {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw badRequest(`error decoding JSON: ${msg}`);
  }
  checkDepth(v);
  return v;
}

function parseYamlText(text: string): unknown {
  let v: unknown;
  try {
    v = parseYaml(text, { maxAliasCount: 100, uniqueKeys: true, prettyErrors: false });
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw badRequest(`error decoding YAML: ${msg}`);
  }
  checkDepth(v);
  return v;
}

/** Decodes a body to a JSON value according to its media kind. */
export function decodeBody(buf: Buffer, kind: MediaKind): unknown {
  if (buf.length === 0) throw badRequest('the request body is empty');
  switch (kind) {
    case 'protobuf': {
      const { object } = decodeKubernetesProtobuf(buf);
      checkDepth(object);
      return object;
    }
    case 'yaml':
      return parseYamlText(buf.toString('utf8'));
    case 'apply-patch': {
      const text = buf.toString('utf8');
      // kubectl sends JSON under the apply-patch+yaml type; JSON is YAML, but JSON.parse is faster.
      const t = text.trimStart();
      return t.startsWith('{') ? parseJsonText(text) : parseYamlText(text);
    }
    case 'json':
    case 'json-patch':
    case 'merge-patch':
    case 'strategic-merge-patch':
      return parseJsonText(buf.toString('utf8'));
    default: {
      const never: never = kind;
      throw new StatusError(415, 'UnsupportedMediaType', `unsupported media kind ${String(never)}`);
    }
  }
}

/** The body must be a JSON object (not an array or scalar). */
export function requireObject(v: unknown, what = 'the request body'): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw badRequest(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}
