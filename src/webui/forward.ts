// /ui/k8s/<Kubernetes API path>: the page's calls to the API server, forwarded with the session's
// bearer token so that the API's own authentication, authorization and admission decide. Answers
// come back as the API sent them (status code, Status body, headers the page needs); watches and
// log follows are piped through as they arrive. Secrets are the one change (secret-strip.ts).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';
import { isSecretPath, stripSecrets } from './secret-strip.js';
import { sendStatus } from './http-util.js';
import { queryBool } from '../base/query-bool.js';
import type { UpstreamClient } from './upstream.js';
import type { Logger } from '../base/log.js';

export const K8S_PREFIX = '/ui/k8s';
const PASS_REQUEST = ['content-type', 'content-length', 'accept'] as const;
const PASS_RESPONSE = ['content-type', 'content-length', 'warning', 'audit-id', 'retry-after'] as const;

/** The API path and query of a forwarded URL, or why it is refused. */
export function apiTarget(url: URL): { path: string; query: URLSearchParams; reveal: boolean } | string {
  const path = url.pathname.slice(K8S_PREFIX.length);
  if (!/^\/(api|apis|version)(\/|$)/.test(path)) return `${path || '/'} is not a Kubernetes API path (/api/…, /apis/… or /version)`;
  if (path.split('/').some((s) => s === '..' || s === '.')) return `${path}: dot segments are not allowed`;
  const query = new URLSearchParams(url.searchParams);
  const reveal = query.get('reveal') === '1';
  query.delete('reveal');
  return { path, query, reveal };
}

/**
 * Whether the API will answer with a watch stream: `watch` read as the API reads it (any value but
 * "0"/"false", `?watch=True` and `?watch=` included), or the legacy /watch/ paths. A stream taken for
 * one answer would be buffered forever.
 */
export function isWatch(target: { path: string; query: URLSearchParams }): boolean {
  return queryBool(target.query, 'watch') || target.path.includes('/watch/');
}

export async function forward(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  token: string,
  upstream: UpstreamClient,
  log: Logger,
): Promise<void> {
  const target = apiTarget(url);
  if (typeof target === 'string') return sendStatus(res, 400, target);
  const strip = !target.reveal && isSecretPath(target.path);
  const headers: OutgoingHttpHeaders = {};
  for (const h of PASS_REQUEST) if (req.headers[h] !== undefined) headers[h] = req.headers[h];
  // Tables and protobuf could carry values past the strip: Secrets are asked for as JSON
  if (strip) headers['accept'] = 'application/json';
  const qs = target.query.toString();
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD' && method !== 'DELETE' ? true : req.headers['content-length'] !== undefined;
  let up: IncomingMessage;
  try {
    up = await upstream.request(token, method, `${target.path}${qs ? `?${qs}` : ''}`, headers, hasBody ? req : undefined);
  } catch (e) {
    log.warn('API server unreachable', { error: e instanceof Error ? e.message : String(e) });
    return sendStatus(res, 502, `the API server did not answer: ${e instanceof Error ? e.message : String(e)}`);
  }
  // the browser went away (a closed watch, a left page): the API's request ends too
  res.once('close', () => up.destroy());
  const out: Record<string, string | string[] | number> = { 'cache-control': 'no-store' };
  for (const h of PASS_RESPONSE) {
    const v = up.headers[h];
    if (v !== undefined) out[h] = v as string | string[];
  }
  const json = /json/.test(String(up.headers['content-type'] ?? ''));
  if (!strip || !json) {
    res.writeHead(up.statusCode ?? 502, out);
    res.flushHeaders();
    up.pipe(res);
    return;
  }
  delete out['content-length'];
  res.writeHead(up.statusCode ?? 502, out);
  if (isWatch(target)) {
    res.flushHeaders();
    pipeWatchStripped(up, res);
    return;
  }
  const chunks: Buffer[] = [];
  for await (const c of up as AsyncIterable<Buffer>) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    res.end(JSON.stringify(stripSecrets(JSON.parse(text), true)));
  } catch {
    // not JSON after all: never pass through what could hold a value
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'unreadable Secret answer withheld' }));
  }
}

/** A watch of Secrets, one JSON event per line, each stripped on its way. */
function pipeWatchStripped(up: IncomingMessage, res: ServerResponse): void {
  let rest = '';
  up.setEncoding('utf8');
  up.on('data', (chunk: string) => {
    rest += chunk;
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (line.trim() === '') continue;
      try {
        res.write(`${JSON.stringify(stripSecrets(JSON.parse(line), true))}\n`);
      } catch {
        // a broken line is dropped rather than passed on unstripped
      }
    }
  });
  up.on('end', () => res.end());
  up.on('error', () => res.destroy());
}
