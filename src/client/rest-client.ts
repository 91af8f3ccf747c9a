// A small REST client for the Kubernetes API (the client-go analogue's transport): HTTPS with a
// CA and a bearer token or a client certificate, keep-alive, JSON bodies, typed Status errors, and
// streaming watches. A client certificate can be replaced while the client runs (rotation): new
// requests and watches use it, watches already open keep their connections.
// Several API servers (HA) are one pool (server-pool.ts): a request that fails in transport, or gets
// an answer that is not the API server's, moves on to the next server when that is safe, and a
// watch that breaks resumes on the next server from the last resourceVersion it delivered.

import http from 'node:http';
import https from 'node:https';
import { exchange, TransportError, type Target } from './http-attempt.js';
import { createServerPool, isServerFailureAnswer, mayRetryElsewhere, type ServerPool } from './server-pool.js';
import { failoverWatch, type WatchEvent, type WatchStream } from './failover-watch.js';
import type { KindDef } from '../api/kind.js';
import type { AnyObject, KubeObject } from '../api/object.js';
import type { ResourceRef } from './paths.js';
import { StatusError, type Status } from '../base/errors.js';
import { createResourceClient, type ResourceClient } from './resource.js';

export interface ClientConfig {
  /** e.g. https://127.0.0.1:6443 */
  server: string;
  /** more API servers with the same CA and credentials (HA): tried in this order after `server` */
  servers?: readonly string[];
  /** how long a connection (TCP and TLS) may take to come up before the next server is tried (default 10 s) */
  connectTimeoutMs?: number;
  /** told when requests move to another server */
  onServerSwitch?: (from: string, to: string, reason: string) => void;
  caPem: string;
  /** a bearer token; a client holds a token, a client certificate, or (bootstrap discovery aside) both */
  token?: string;
  /** a client certificate and its private key (PEM) presented in the TLS handshake */
  clientCert?: ClientCertificate;
  userAgent?: string;
  /** keep-alive connections (default 16) */
  maxSockets?: number;
  /**
   * In-process transport: plain HTTP over this Unix socket of the API server (same handler chain,
   * same authentication, no TLS). For components running inside the server's process.
   */
  socketPath?: string;
}

export interface ClientCertificate {
  cert: string;
  key: string;
}

export type { WatchEvent, WatchStream } from './failover-watch.js';

export interface RestClient {
  /**
   * The handle on a resource: how components outside src/client/ make REST calls. Typed by a
   * served kind's KindDef; a discovered resource (discovery.ts resourceRef) gives AnyObject handles.
   */
  resource<T extends KubeObject>(kind: KindDef<T>): ResourceClient<T>;
  resource(ref: ResourceRef): ResourceClient<AnyObject>;
  /** `accept` overrides the Accept header (e.g. for metadata-only lists). */
  request<T = unknown>(method: string, path: string, body?: unknown, contentType?: string, accept?: string): Promise<T>;
  /** like request, but answers undefined for 404 */
  getOrUndefined<T = unknown>(path: string): Promise<T | undefined>;
  /** streams a watch; resolves `done` when the server closes it */
  watch(path: string, onEvent: (ev: WatchEvent) => void, accept?: string): WatchStream;
  close(): void;
}

/** The HTTPS client itself, whose client certificate can be replaced. */
export interface HttpsRestClient extends RestClient {
  /**
   * Presents this certificate from now on (a renewed one). Requests in flight and open watches
   * finish on their connections; idle connections made with the old certificate are closed.
   */
  setClientCertificate(cert: ClientCertificate): void;
  /** the API servers this client knows and the one it uses now */
  readonly pool: ServerPool;
}

/** An agent whose connections close as soon as they are idle: one retired by a certificate change. */
function retire(agent: http.Agent): void {
  agent.on('free', (socket: { destroy(): void }) => socket.destroy());
  for (const list of Object.values(agent.freeSockets)) for (const socket of list ?? []) socket.destroy();
}

export function createRestClient(cfg: ClientConfig): HttpsRestClient {
  const local = cfg.socketPath !== undefined;
  const pool = createServerPool({
    servers: local ? [cfg.server] : [cfg.server, ...(cfg.servers ?? [])],
    ...(cfg.onServerSwitch ? { onSwitch: cfg.onServerSwitch } : {}),
  });
  const tlsOf = (c: ClientCertificate | undefined) => ({ ca: cfg.caPem, ...(c ? { cert: c.cert, key: c.key } : {}) });
  const makeAgent = (c: ClientCertificate | undefined) =>
    local
      ? new http.Agent({ keepAlive: true, maxSockets: cfg.maxSockets ?? 16 })
      : new https.Agent({ keepAlive: true, maxSockets: cfg.maxSockets ?? 16, ...tlsOf(c) });
  // watches hold their connection for minutes: they get their own pool so that they can never use up
  // the sockets of ordinary requests (HTTP/1.1 has one stream per connection)
  const makeWatchAgent = (c: ClientCertificate | undefined) =>
    local ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true, ...tlsOf(c) });
  let agent = makeAgent(cfg.clientCert);
  let watchAgent = makeWatchAgent(cfg.clientCert);
  // agents of earlier certificates, still carrying requests or watches begun with them
  const retired: http.Agent[] = [];
  const target = (server: string, a: http.Agent): Target => ({
    server,
    agent: a,
    connectTimeoutMs: cfg.connectTimeoutMs ?? 10_000,
    ...(local ? { socketPath: cfg.socketPath } : {}),
  });
  // a failed server's idle kept-alive connections are dropped: a write sent on one that had not yet
  // seen the server's end would fail (it cannot be sent again) where a new connection is refused (and can)
  const failed = (server: string, reason: string) => {
    pool.failed(server, reason);
    const u = new URL(server);
    const prefix = `${u.hostname.replace(/^\[|\]$/g, '')}:${u.port || 443}:`;
    for (const a of [agent, watchAgent])
      for (const [name, list] of Object.entries(a.freeSockets)) if (name.startsWith(prefix)) for (const sock of list ?? []) sock.destroy();
  };
  const headers = (ct?: string, accept?: string): Record<string, string> => {
    const h: Record<string, string> = {
      Accept: accept ?? 'application/json',
      'User-Agent': cfg.userAgent ?? 'tandem',
    };
    if (cfg.token !== undefined) h['Authorization'] = `Bearer ${cfg.token}`;
    if (ct) h['Content-Type'] = ct;
    return h;
  };

  /** One request through the pool: the next server is tried only when the retry rules allow it. */
  async function raw(
    method: string,
    path: string,
    body: unknown,
    contentType: string | undefined,
    accept?: string,
  ): Promise<{ status: number; text: string }> {
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const h = headers(data !== undefined ? (contentType ?? 'application/json') : undefined, accept);
    if (data !== undefined) h['Content-Length'] = String(Buffer.byteLength(data));
    const servers = pool.candidates();
    let failure: TransportError | undefined;
    let badAnswer: { status: number; text: string } | undefined;
    for (const server of servers) {
      try {
        const r = await exchange(target(server, agent), { method, path, headers: h, ...(data !== undefined ? { data } : {}) });
        if (!isServerFailureAnswer(r.status, r.text)) {
          pool.succeeded(server);
          return r;
        }
        failed(server, `answered ${r.status} without a Status`);
        if (!mayRetryElsewhere(method, 'bad-answer')) return r;
        badAnswer = r;
        failure = undefined;
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        failed(server, e.message);
        if (!mayRetryElsewhere(method, e.kind)) throw e;
        failure = e;
        badAnswer = undefined;
      }
    }
    if (badAnswer) return badAnswer;
    throw failure ?? new Error('no API server to send to');
  }

  function toError(status: number, text: string): StatusError {
    try {
      const s = JSON.parse(text) as Partial<Status>;
      if (s.kind === 'Status')
        return new StatusError(status, (s.reason ?? 'InternalError') as StatusError['reason'], s.message ?? text, s.details);
    } catch {
      /* not a Status */
    }
    return new StatusError(status, 'InternalError', `unexpected answer ${status}: ${text.slice(0, 200)}`);
  }

  const client: HttpsRestClient = {
    pool,
    resource: <T extends KubeObject = AnyObject>(kind: ResourceRef) => createResourceClient<T>(client, kind),
    async request<T>(method: string, path: string, body?: unknown, contentType?: string, accept?: string): Promise<T> {
      const r = await raw(method, path, body, contentType, accept);
      if (r.status >= 400) throw toError(r.status, r.text);
      return (r.text ? JSON.parse(r.text) : undefined) as T;
    },
    async getOrUndefined<T>(path: string): Promise<T | undefined> {
      const r = await raw('GET', path, undefined, undefined);
      if (r.status === 404) return undefined;
      if (r.status >= 400) throw toError(r.status, r.text);
      return JSON.parse(r.text) as T;
    },
    watch(path, onEvent, accept) {
      const t = { pool, failed, target: (s: string) => target(s, watchAgent), headers: headers(undefined, accept), toError };
      return failoverWatch(t, path, onEvent);
    },
    setClientCertificate(c) {
      if (local) return; // the in-process transport has no TLS
      retired.push(agent, watchAgent);
      retire(agent);
      retire(watchAgent);
      agent = makeAgent(c);
      watchAgent = makeWatchAgent(c);
    },
    close() {
      agent.destroy();
      watchAgent.destroy();
      for (const a of retired.splice(0)) a.destroy();
    },
  };
  return client;
}
