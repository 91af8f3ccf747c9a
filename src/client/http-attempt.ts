// One HTTP exchange with one API server, for the REST client's failover loop: it tells apart a
// failure before anything was sent (the connection, or its TLS handshake, never came up: safe to
// send again elsewhere, even a write) from a connection that broke once the request may have left
// (a write must then not be repeated), and gives up on a connection that does not come up within the
// connect timeout (a black-holed server would otherwise hold a request for minutes).

import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { FailureKind } from './server-pool.js';

/** A request that failed in transport (not an HTTP answer), and how. */
export class TransportError extends Error {
  /** the Node error's code (ECONNREFUSED, ETIMEDOUT, a TLS one...): callers explain failures by it */
  readonly code: string | undefined;
  constructor(
    readonly server: string,
    readonly kind: FailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${server}: ${message}`, options);
    this.name = 'TransportError';
    const c = (options?.cause as NodeJS.ErrnoException | undefined)?.code;
    this.code = typeof c === 'string' ? c : undefined;
  }
}

export interface Target {
  /** the server's origin; with socketPath, only a name in messages */
  server: string;
  agent: http.Agent;
  socketPath?: string;
  connectTimeoutMs: number;
}

export interface Exchange {
  method: string;
  path: string;
  headers: Record<string, string>;
  data?: string;
}

const hostOf = (u: URL) => (u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname);

/**
 * Starts the request and watches its connection: `onFail(kind, error)` is called at most once for
 * a transport failure; `onResponse` with the answer's head. Returns the request (to destroy it).
 */
export function startExchange(
  t: Target,
  x: Exchange,
  onResponse: (res: http.IncomingMessage) => void,
  onFail: (e: TransportError) => void,
): http.ClientRequest {
  const u = new URL(t.server);
  const opts: https.RequestOptions = {
    host: hostOf(u),
    port: u.port || 443,
    path: x.path,
    method: x.method,
    agent: t.agent,
    headers: x.headers,
  };
  const req = t.socketPath
    ? http.request({ ...opts, socketPath: t.socketPath, host: undefined, port: undefined }, onResponse)
    : https.request(opts, onResponse);
  // "connected": the request can have reached the server from here on (TLS: after the handshake,
  // since the request is written only then; a kept-alive socket is connected already)
  let connected = false;
  let timer: NodeJS.Timeout | undefined;
  req.on('socket', (sock: Socket) => {
    if (req.reusedSocket || !sock.connecting) {
      connected = true;
      return;
    }
    sock.once(t.socketPath ? 'connect' : 'secureConnect', () => {
      connected = true;
      clearTimeout(timer);
    });
    timer = setTimeout(() => {
      if (!connected) req.destroy(Object.assign(new Error(`no connection within ${t.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, t.connectTimeoutMs);
    timer.unref();
  });
  let failed = false;
  req.on('error', (e: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    if (failed) return;
    failed = true;
    const kind: FailureKind = connected ? 'broken' : 'unsent';
    onFail(new TransportError(t.server, kind, `${e.code ? `${e.code} ` : ''}${e.message}`, { cause: e }));
  });
  req.on('close', () => clearTimeout(timer));
  req.end(x.data);
  return req;
}

/** One whole request: the status and body text, or a TransportError. */
export function exchange(t: Target, x: Exchange): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    startExchange(
      t,
      x,
      (res) => {
        const chunks: Buffer[] = [];
        let ended = false;
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          ended = true;
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        // a body cut short: the server died while answering (the request did reach it); 'close' follows 'error'
        res.on('error', () => undefined);
        res.on('close', () => {
          if (!ended) reject(new TransportError(t.server, 'broken', 'the connection closed before the answer was complete'));
        });
      },
      reject,
    );
  });
}
