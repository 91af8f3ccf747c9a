// Upgraded connections of the streaming server: exec and attach (WebSocket v5/v4 bridged to the
// runtime's stream URL, or to a session the runtime serves directly: Runtime.openStream) and port-forward (SPDY/3.1 `portforward.k8s.io`, or a plain v4 WebSocket).

import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { StatusError, badRequest, notFound } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
import { RuntimeNotFoundError, type Runtime } from '../runtime/runtime.js';
import { V4, V5, pickProtocol } from './channel.js';
import { CLIENT_EXEC_PROTOCOLS } from './client-codec.js';
import { bridgeDirect } from './direct-bridge.js';
import { bridgeExec } from './exec-bridge.js';
import { bridgeExecSpdy } from './exec-spdy.js';
import { createPortForwardSession } from './portforward-spdy.js';
import { bridgePortForwardWs, parsePorts } from './portforward-ws.js';
import { rejectUpgrade } from './reject-upgrade.js';
import { parseStreamOptions } from './stream-options.js';
import { createSpdyServerConnection } from './spdy.js';
import type { PodLookup, StreamPod } from './types.js';

export interface UpgradeDeps {
  runtime: Runtime;
  podLookup: PodLookup;
  log: Logger;
}

const isWebSocket = (req: IncomingMessage) => (req.headers['upgrade'] ?? '').toLowerCase() === 'websocket';
const isSpdy = (req: IncomingMessage) => (req.headers['upgrade'] ?? '').toLowerCase().startsWith('spdy/3');
const offeredProtocols = (req: IncomingMessage) =>
  String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function createUpgradeHandler(deps: UpgradeDeps) {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => pickProtocol(protocols, [...CLIENT_EXEC_PROTOCOLS]) ?? false,
  });

  const findPod = async (ns: string, name: string, container?: string): Promise<StreamPod> => {
    const pod = await deps.podLookup(ns, name, container);
    if (!pod) throw notFound({ group: '', resource: 'pods' }, name);
    return pod;
  };

  const podIp = async (pod: StreamPod): Promise<string> => {
    if (pod.podIP) return pod.podIP;
    const st = await deps.runtime.podSandboxStatus(pod.sandboxId).catch(() => undefined);
    return st?.ip || '127.0.0.1';
  };

  async function execOrAttach(
    kind: 'exec' | 'attach',
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    q: URLSearchParams,
    ns: string,
    name: string,
    container: string,
  ) {
    const pod = await findPod(ns, name, container);
    const id = pod.containers.get(container);
    if (!id) throw notFound({ group: '', resource: 'containers' }, container);
    if (!isWebSocket(req))
      throw badRequest(
        `${kind} over ${String(req.headers['upgrade'] ?? 'plain HTTP')} is not supported by this node; use WebSocket (v5.channel.k8s.io)`,
      );
    if (!pickProtocol(offeredProtocols(req), [...CLIENT_EXEC_PROTOCOLS]))
      throw badRequest('none of the offered subprotocols is supported (want v5.channel.k8s.io or v4.channel.k8s.io)');
    const opts = parseStreamOptions(q);
    const command = q.getAll('command');
    if (kind === 'exec' && command.length === 0) throw badRequest('you must specify at least one command for the container');
    const direct = deps.runtime.openStream ? await deps.runtime.openStream(id, kind, command, opts) : undefined;
    if (direct) {
      deps.log.debug(kind, { pod: `${ns}/${name}`, container, direct: true });
      let upgraded = false;
      socket.once('close', () => {
        if (!upgraded) direct.close();
      });
      wss.handleUpgrade(req, socket, head, (ws) => {
        upgraded = true;
        void bridgeDirect({ client: ws, stream: direct, log: deps.log });
      });
      return;
    }
    let url: string;
    if (kind === 'exec') {
      url = await deps.runtime.exec(id, command, opts);
    } else {
      url = await deps.runtime.attach(id, opts);
    }
    deps.log.debug(kind, {
      pod: `${ns}/${name}`,
      container,
      protocol: pickProtocol(offeredProtocols(req), [...CLIENT_EXEC_PROTOCOLS]) ?? '',
    });
    wss.handleUpgrade(req, socket, head, (ws) => {
      // stdin with a v5 client: SPDY to the runtime, which can pass the client's stdin EOF on
      if (kind === 'exec' && opts.stdin && ws.protocol === V5)
        void bridgeExecSpdy({ client: ws, runtimeUrl: url, streams: opts, log: deps.log });
      else void bridgeExec({ client: ws, runtimeUrl: url, log: deps.log });
    });
  }

  async function portForward(req: IncomingMessage, socket: Duplex, head: Buffer, q: URLSearchParams, ns: string, name: string) {
    const pod = await findPod(ns, name);
    const ip = await podIp(pod);
    const describe = `${ns}/${name}`;
    const dial = (port: number): Socket => connect({ host: ip, port });
    if (isSpdy(req)) {
      const versions = String(req.headers['x-stream-protocol-version'] ?? '')
        .split(',')
        .map((s) => s.trim());
      if (!versions.includes('portforward.k8s.io')) throw badRequest('unable to upgrade: no common protocol (want portforward.k8s.io)');
      deps.log.debug('portforward', { pod: describe, protocol: 'SPDY/3.1' });
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n',
      );
      if (head.length) socket.unshift(head);
      const conn = createSpdyServerConnection(socket);
      const session = createPortForwardSession({ dial, describe, log: deps.log });
      conn.on('stream', (s) => session.onStream(s));
      conn.on('error', () => undefined);
      socket.on('close', () => session.close());
      socket.on('error', () => session.close());
      return;
    }
    if (isWebSocket(req)) {
      const offered = offeredProtocols(req);
      if (!offered.includes(V4)) {
        // kubectl's SPDY-over-WebSocket tunnel is not served: refusing makes it fall back to SPDY.
        throw badRequest('port-forward over WebSocket needs v4.channel.k8s.io; SPDY tunnelling is served as a plain SPDY/3.1 upgrade');
      }
      const ports = parsePorts(q.getAll('ports'));
      if (!ports) throw badRequest('query parameter "ports" is required: one or more port numbers');
      deps.log.debug('portforward', { pod: describe, protocol: V4, ports: ports.join(',') });
      const wsv4 = new WebSocketServer({ noServer: true, handleProtocols: () => V4 });
      wsv4.handleUpgrade(req, socket, head, (ws) => bridgePortForwardWs(ws, ports, dial, describe));
      return;
    }
    throw badRequest('port-forward needs an upgrade to SPDY/3.1 or WebSocket');
  }

  return function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path: string[], q: URLSearchParams): void {
    const [kind, ns, name, container] = path;
    const run = async () => {
      if ((kind === 'exec' || kind === 'attach') && ns && name && container && path.length === 4) {
        return execOrAttach(kind, req, socket, head, q, ns, name, container);
      }
      if (kind === 'portForward' && ns && name && path.length === 3) return portForward(req, socket, head, q, ns, name);
      throw notFound({ group: '', resource: 'streams' }, path.join('/'));
    };
    run().catch((e: unknown) => {
      const se =
        e instanceof StatusError
          ? e
          : e instanceof RuntimeNotFoundError
            ? new StatusError(404, 'NotFound', `container not found: ${e.message}`)
            : new StatusError(500, 'InternalError', e instanceof Error ? e.message : String(e));
      if (!(e instanceof StatusError)) deps.log.error(`${kind ?? ''} failed`, { error: se.message });
      if (!socket.destroyed) rejectUpgrade(socket, se);
    });
  };
}
