// Upgraded requests (the https server's 'upgrade' event): exec, attach and portforward of pods are
// authenticated, checked, and then tunnelled byte for byte to the pod's node agent (WebSocket or
// SPDY/3.1 alike: the request line and headers are replayed with the agent's path; the API server's
// identity is its client certificate, and the caller's credentials are never passed on).
// Upgrade requests for any other path run through the normal handler chain. Pods on simulated nodes
// get a 400 saying there is nothing to stream from.

import tls from 'node:tls';
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { StatusError, notFound } from '../../base/errors.js';
import type { ApiContext, UserInfo } from '../handlers/context.js';
import { parseRequestInfo } from '../http/request-info.js';
import { toStatusError } from '../http/respond.js';
import { authorizeRequest } from '../auth/authorize-request.js';
import { impersonate, impersonationRequested, isImpersonationHeader } from '../auth/impersonation.js';
import { agentConnectError, formatHostPort, requireNodeProxy, resolveAgent, tlsOptions } from './agent-client.js';
import { checkStreamable, chooseContainer } from './pod-checks.js';
import { isSimulatedNode, simulatedStreamError } from './simulated-node.js';

export interface UpgradeProxyOptions {
  ctx: ApiContext;
  /** undefined when the request is not authenticated */
  authenticate(req: IncomingMessage): UserInfo | undefined | Promise<UserInfo | undefined>;
  /** the normal request handler, for upgrade requests that are not streams */
  handler(req: IncomingMessage, res: ServerResponse): void;
  onInternalError?: (err: unknown, req: IncomingMessage) => void;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function writeStatusToSocket(socket: Duplex, e: StatusError): void {
  const body = `${JSON.stringify(e.toStatus())}\n`;
  socket.end(
    `HTTP/1.1 ${e.code} ${REASONS[e.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The request head as sent to the agent: new path, no credentials of the caller, everything else unchanged. */
export function rewriteHead(req: IncomingMessage, path: string, host: string): string {
  const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!;
    const lk = k.toLowerCase();
    if (lk === 'authorization' || lk === 'host' || isImpersonationHeader(lk)) continue;
    lines.push(`${k}: ${raw[i + 1]!}`);
  }
  lines.push(`Host: ${host}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export function createUpgradeProxy(o: UpgradeProxyOptions) {
  async function stream(req: IncomingMessage, socket: Socket, head: Buffer): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const info = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    if (
      !info ||
      info.kind !== 'resource' ||
      info.group !== '' ||
      info.version !== 'v1' ||
      info.resource !== 'pods' ||
      !info.name ||
      !info.namespace
    )
      return false;
    const sub = info.subresource;
    if (sub !== 'exec' && sub !== 'attach' && sub !== 'portforward') return false;
    const authenticated = await o.authenticate(req);
    if (!authenticated) throw new StatusError(401, 'Unauthorized', 'Unauthorized');
    const user = impersonationRequested(req.rawHeaders)
      ? await impersonate(o.ctx.authorizer, authenticated, req.rawHeaders)
      : authenticated;
    await authorizeRequest(o.ctx.authorizer, user, req.method ?? 'GET', url.pathname, info);
    const podKind = o.ctx.kindFor('', 'v1', 'pods');
    if (!podKind) throw notFound({ group: '', resource: 'pods' }, info.name);
    const { obj: pod } = await o.ctx.store(podKind).get(info.namespace, info.name);
    const node = String(((pod['spec'] ?? {}) as Record<string, unknown>)['nodeName'] ?? '');
    let agentPath: string;
    const ns = encodeURIComponent(info.namespace);
    const name = encodeURIComponent(info.name);
    const q = new URLSearchParams(url.searchParams);
    if (sub === 'portforward') {
      checkStreamable(pod, 'portforward', undefined, false);
      agentPath = `/portForward/${ns}/${name}`;
    } else {
      const container = chooseContainer(pod, q.get('container'));
      checkStreamable(pod, sub, container, false);
      q.set('container', container);
      agentPath = `/${sub}/${ns}/${name}/${encodeURIComponent(container)}`;
    }
    if (!node) throw new StatusError(400, 'BadRequest', `pod ${info.name} has not been scheduled to a node`);
    if (await isSimulatedNode(o.ctx, node)) throw simulatedStreamError(pod, node, sub);
    const auth = requireNodeProxy(o.ctx, node, sub);
    const target = await resolveAgent(o.ctx, node);
    const qs = q.toString();
    const agent = tls.connect({ host: target.host, port: target.port, ...tlsOptions(auth, target.host) });
    await new Promise<void>((resolve, reject) => {
      agent.once('secureConnect', resolve);
      agent.once('error', (e) => reject(agentConnectError(node, target, e)));
    });
    agent.on('error', () => socket.destroy());
    socket.on('error', () => agent.destroy());
    agent.write(rewriteHead(req, `${agentPath}${qs ? `?${qs}` : ''}`, formatHostPort(target)));
    if (head.length) agent.write(head);
    agent.pipe(socket);
    socket.pipe(agent);
    agent.on('close', () => socket.destroy());
    socket.on('close', () => agent.destroy());
    return true;
  }

  return function onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => undefined);
    stream(req, socket, head)
      .then((handled) => {
        if (handled) return;
        // Not a stream: answer like any other request (no upgrade happens).
        const res = new ServerResponse(req);
        res.shouldKeepAlive = false;
        res.assignSocket(socket);
        res.on('finish', () => {
          res.detachSocket(socket);
          socket.end();
        });
        o.handler(req, res);
      })
      .catch((e: unknown) => {
        const se = toStatusError(e);
        if (!(e instanceof StatusError)) o.onInternalError?.(e, req);
        if (!socket.destroyed) writeStatusToSocket(socket, se);
      });
  };
}
