// The node agent's streaming HTTPS server, reached by the API server: container logs, exec, attach,
// port-forward, stats summary, Prometheus metrics and a health check. Every request but /healthz
// is authenticated (a client certificate from the cluster CA, or a reviewed bearer token: 401
// without either) and authorized by the API server (403 when it says no), as the kubelet's are.

import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { StatusError, notFound, unauthorized } from '../../base/errors.js';
import type { AgentAuth } from './auth/index.js';
import type { AgentUser } from './auth/agent-authn.js';
import type { Logger } from '../../base/log.js';
import type { Runtime } from '../runtime/runtime.js';
import { createStatsProvider, type StatsProvider } from '../stats/summary.js';
import type { AgentMetrics } from '../stats/metrics.js';
import { handleContainerLogs } from './logs-handler.js';
import { rejectUpgrade } from './reject-upgrade.js';
import type { createUpgradeHandler } from './upgrades.js';
import type { PodLookup } from './types.js';

export interface StreamingServerOptions {
  runtime: Runtime;
  podLookup: PodLookup;
  listen: { host: string; port: number };
  tls: { cert: string; key: string };
  /** who may call (auth/index.ts createAgentAuth) */
  auth: AgentAuth;
  log: Logger;
  /** node name reported in /stats/summary (default: the listen host) */
  nodeName?: string;
  /** stats source (default: from the runtime and the host) */
  stats?: StatsProvider;
  now?: () => number;
  /** log follow polling interval (ms) */
  logPollMs?: number;
}

export interface StreamingServer {
  port: number;
  /** serves with this certificate from the next TLS handshake on (a renewed one); open connections keep theirs */
  setTls(tls: { cert: string; key: string }): void;
  stop(): Promise<void>;
}

function sendStatus(res: ServerResponse, e: StatusError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(e.toStatus());
  res.writeHead(e.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const segments = (path: string): string[] | undefined => {
  try {
    return path
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
};

export async function startStreamingServer(o: StreamingServerOptions): Promise<StreamingServer> {
  const now = o.now ?? Date.now;
  /** the caller, allowed to make this request; throws 401 or 403 */
  const admit = async (req: IncomingMessage, path: string): Promise<AgentUser> => {
    const user = await o.auth.authenticate(req);
    if (!user) throw unauthorized();
    await o.auth.authorize(user, req.method ?? 'GET', path);
    return user;
  };
  const stats = o.stats ?? createStatsProvider({ runtime: o.runtime, nodeName: o.nodeName ?? o.listen.host, now });
  // prom-client costs ~10 MB of a node's memory: loaded on the first /metrics scrape only
  let metrics: AgentMetrics | undefined;
  const metricsOnce = async () => (metrics ??= (await import('../stats/metrics.js')).createAgentMetrics(stats));
  // ws and spdy-transport (~15 MB of a node's memory) load with the first exec, attach or port-forward
  let upgrades: Promise<ReturnType<typeof createUpgradeHandler>> | undefined;
  const upgradeHandler = () =>
    (upgrades ??= import('./upgrades.js').then((m) => m.createUpgradeHandler({ runtime: o.runtime, podLookup: o.podLookup, log: o.log })));

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://agent');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    await admit(req, url.pathname);
    const seg = segments(url.pathname);
    if (!seg) throw notFound({ group: '', resource: 'paths' }, url.pathname);
    if (req.method === 'GET' && seg[0] === 'containerLogs' && seg.length === 4) {
      await handleContainerLogs(
        req,
        res,
        url.searchParams,
        { ns: seg[1]!, pod: seg[2]!, container: seg[3]! },
        {
          podLookup: o.podLookup,
          runtime: o.runtime,
          now,
          ...(o.logPollMs !== undefined ? { pollMs: o.logPollMs } : {}),
        },
      );
      return;
    }
    if (req.method === 'GET' && url.pathname === '/stats/summary') {
      const body = JSON.stringify(await stats.summary());
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/metrics') {
      const m = await metricsOnce();
      const body = await m.render();
      res.writeHead(200, { 'Content-Type': m.contentType, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (seg[0] === 'exec' || seg[0] === 'attach' || seg[0] === 'portForward') {
      throw new StatusError(400, 'BadRequest', `${seg[0]} needs a connection upgrade (WebSocket or SPDY/3.1)`);
    }
    throw notFound({ group: '', resource: 'paths' }, url.pathname);
  }

  // client certificates are asked for, not required: bearer tokens remain a way in
  const clientCerts = o.auth.clientCa ? { requestCert: true, rejectUnauthorized: false, ca: o.auth.clientCa } : {};
  const server = https.createServer({ cert: o.tls.cert, key: o.tls.key, ...clientCerts }, (req, res) => {
    serve(req, res).catch((e: unknown) => {
      const se = e instanceof StatusError ? e : new StatusError(500, 'InternalError', e instanceof Error ? e.message : String(e));
      if (!(e instanceof StatusError)) o.log.error('request failed', { method: req.method, url: req.url, error: se.message });
      sendStatus(res, se);
    });
  });
  server.requestTimeout = 0;
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    const url = new URL(req.url ?? '/', 'https://agent');
    const seg = segments(url.pathname);
    admit(req, url.pathname).then(
      () => {
        if (!seg) {
          rejectUpgrade(socket, notFound({ group: '', resource: 'paths' }, url.pathname));
          return;
        }
        upgradeHandler().then(
          (onUpgrade) => onUpgrade(req, socket, head, seg, url.searchParams),
          (e: unknown) => {
            o.log.error('loading the upgrade handlers failed', { error: e });
            if (!socket.destroyed) rejectUpgrade(socket, new StatusError(500, 'InternalError', 'streaming is unavailable on this node'));
          },
        );
      },
      (e: unknown) => {
        const se = e instanceof StatusError ? e : new StatusError(500, 'InternalError', e instanceof Error ? e.message : String(e));
        if (!socket.destroyed) rejectUpgrade(socket, se);
      },
    );
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listen.port, o.listen.host, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : o.listen.port);
    });
  });
  o.log.info(`streaming server listening on ${o.listen.host}:${port}`);
  return {
    port,
    // the new context keeps the client CA: without it no client certificate would be asked for again
    setTls: (tls) => server.setSecureContext({ cert: tls.cert, key: tls.key, ...(o.auth.clientCa ? { ca: o.auth.clientCa } : {}) }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of upgraded) s.destroy();
      }),
  };
}
