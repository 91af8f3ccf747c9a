// The control loops' own HTTPS endpoint, like kube-controller-manager's and kube-scheduler's secure
// ports: /metrics (this realm's metrics registry) for callers the API server vouches for — the
// bearer token checked by a TokenReview and GET /metrics allowed by a SubjectAccessReview, both
// asked through the component's client and remembered for 10 s (delegated authentication and
// authorization) — and /healthz for anyone.

import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../base/log.js';
import { defaultRegistry, Registry } from '../base/metrics.js';
import { registerProcessMetrics } from '../base/process-metrics.js';
import type { RestClient } from '../client/rest-client.js';

interface ComponentMetricsOptions {
  /** host:port (port 0: any free port) */
  listen: string;
  tls: { cert: string; key: string };
  /** the component's client: it asks the TokenReviews and SubjectAccessReviews */
  client: RestClient;
  registry: Registry;
  log?: Logger;
  /** how long a token's answer is kept (default 10 s) */
  cacheMs?: number;
  now?: () => number;
}

interface ComponentMetricsServer {
  /** the port it listens on */
  port: number;
  close(): Promise<void>;
}

type Verdict = 'allowed' | 'unauthenticated' | 'forbidden';

interface TokenReviewStatus {
  authenticated?: boolean;
  user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
}

/** Parses `host:port` (IPv6 in brackets); throws naming what is wrong. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(listen);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`metrics listen address ${JSON.stringify(listen)} is not host:port (port 0-65535)`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

const MAX_CACHED = 1024;

export async function startComponentMetricsServer(o: ComponentMetricsOptions): Promise<ComponentMetricsServer> {
  const { host, port } = parseListen(o.listen);
  const ttl = o.cacheMs ?? 10_000;
  const now = o.now ?? Date.now;
  const cache = new Map<string, { until: number; verdict: Verdict }>();

  async function review(token: string): Promise<Verdict> {
    const hit = cache.get(token);
    if (hit && hit.until > now()) return hit.verdict;
    const tr = await o.client.request<{ status?: TokenReviewStatus }>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token },
    });
    let verdict: Verdict = 'unauthenticated';
    const user = tr.status?.user;
    if (tr.status?.authenticated && user?.username) {
      const sar = await o.client.request<{ status?: { allowed?: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: user.username,
          ...(user.uid ? { uid: user.uid } : {}),
          groups: user.groups ?? [],
          ...(user.extra ? { extra: user.extra } : {}),
          nonResourceAttributes: { path: '/metrics', verb: 'get' },
        },
      });
      verdict = sar.status?.allowed ? 'allowed' : 'forbidden';
    }
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(token, { until: now() + ttl, verdict });
    return verdict;
  }

  const text = (res: ServerResponse, code: number, body: string, type = 'text/plain; charset=utf-8') => {
    res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || path === '/livez' || path === '/readyz') return text(res, 200, 'ok');
    if (path !== '/metrics') return text(res, 404, '404 page not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'method not allowed\n');
    const auth = req.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    if (!token) return text(res, 401, 'Unauthorized\n');
    const verdict = await review(token);
    if (verdict === 'unauthenticated') return text(res, 401, 'Unauthorized\n');
    if (verdict === 'forbidden') return text(res, 403, 'Forbidden: GET /metrics is not allowed\n');
    return text(res, 200, await o.registry.render(), Registry.contentType);
  }

  const server = https.createServer({ cert: o.tls.cert, key: o.tls.key }, (req, res) => {
    serve(req, res).catch((e: unknown) => {
      o.log?.warn('metrics request failed', { path: req.url, error: e });
      if (!res.headersSent) text(res, 500, 'the API server could not check the credentials\n');
      else res.end();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Starts the endpoint for the control loops of this realm (default registry) in the background:
 * a listen address that cannot be bound (taken by a real kube-controller-manager, say) is logged
 * and the control loops run on without it.
 */
export function serveControlLoopMetrics(
  client: RestClient,
  log: Logger,
  o: { listen: string; tls: { cert: string; key: string } },
): { close(): Promise<void> } {
  registerProcessMetrics(defaultRegistry);
  const started = startComponentMetricsServer({ ...o, client, registry: defaultRegistry, log }).then(
    (s) => {
      log.info('serving /metrics', { listen: o.listen, port: s.port });
      return s;
    },
    (e: unknown) => {
      log.warn('not serving /metrics', { listen: o.listen, error: e });
      return undefined;
    },
  );
  return { close: async () => (await started)?.close() };
}
