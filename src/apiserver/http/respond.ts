// Writing responses: JSON bodies and Status errors. API objects, lists, tables, Status and discovery
// end with a newline, as upstream's JSON serializer (a Go json.Encoder) ends every body it writes;
// documents upstream writes with json.Marshal (version, OpenAPI, OIDC discovery) do not.

import type { ServerResponse } from 'node:http';
import { StatusError, internal } from '../../base/errors.js';
import { StorageUnavailableError } from '../../storage/backend.js';

/** An API object, list, table, Status or discovery document, already serialized (without the newline). */
export function sendJsonText(res: ServerResponse, code: number, body: string, contentType = 'application/json'): void {
  sendDocument(res, code, `${body}\n`, contentType);
}

/** A JSON document sent exactly as given. */
export function sendDocument(res: ServerResponse, code: number, body: string, contentType = 'application/json'): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  // encoded once: its length is the Content-Length (Buffer.byteLength would scan it a second time)
  const bytes = Buffer.from(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': bytes.length });
  res.end(bytes);
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  sendJsonText(res, code, JSON.stringify(body));
}

export function sendText(res: ServerResponse, code: number, body: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Any thrown value becomes a Status; non-StatusErrors are bugs and answer 500 (logged by the caller). */
export function toStatusError(e: unknown): StatusError {
  if (e instanceof StatusError) return e;
  if (e instanceof RangeError) return new StatusError(400, 'BadRequest', `the request could not be processed: ${e.message}`);
  // the store's own words, as upstream answers an etcd error ("etcdserver: mvcc: database space exceeded")
  if (e instanceof StorageUnavailableError) return new StatusError(500, 'InternalError', e.reason);
  return internal(e instanceof Error ? e.message : String(e));
}

export function sendError(res: ServerResponse, e: StatusError): void {
  sendJson(res, e.code, e.toStatus());
}

/** Adds a `Warning: 299 - "text"` header (kubectl prints `Warning: text`). */
export function addWarning(res: ServerResponse, text: string): void {
  const v = `299 - ${JSON.stringify(text)}`;
  const prev = res.getHeader('Warning');
  if (prev === undefined) res.setHeader('Warning', v);
  else res.setHeader('Warning', Array.isArray(prev) ? [...prev, v] : [String(prev), v]);
}
