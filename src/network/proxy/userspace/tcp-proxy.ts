// TCP forwarding for one listen address: each accepted connection is held paused while an endpoint
// is dialled, then spliced to it byte for byte in both directions. Dialling follows the userspace
// proxier: up to four attempts with growing timeouts (250 ms, 500 ms, 1 s, 2 s), each to the next
// endpoint with affinity reset, before the client is reset. With no endpoint at all the client is
// reset at once (a TCP RST, as kube-proxy's REJECT rules answer). Half-closes are forwarded (a FIN
// one way keeps the other way open); an abortive close (RST) on one side resets the other.
//
// No keepalive is set on the dialled socket before it connects: Wine's node.exe fails such a connect.

import { connect, createServer, type Server, type Socket } from 'node:net';
import { endpointKey } from './balancer.js';
import { clientIP, type Frontend, type Tracked } from './frontend.js';

/** kube-proxy userspace's EndpointDialTimeouts: one dial attempt per entry. */
const DIAL_TIMEOUTS_MS: readonly number[] = [250, 500, 1000, 2000];

export interface ProxyListener {
  /** `host:port` as bound (for logs and stats) */
  readonly address: string;
  /** Where new connections or datagrams go; swapped in place by apply. */
  frontend: Frontend;
  close(): Promise<void>;
}

export interface TcpOptions {
  dialTimeoutsMs?: readonly number[];
}

function reset(s: Socket): void {
  if (s.destroyed) return;
  // resetAndDestroy needs a connected handle; a socket still connecting is simply destroyed.
  if (s.readyState === 'opening' || s.pending) s.destroy();
  else s.resetAndDestroy();
}

/** One direction of a splice, with backpressure; lighter than pipe() per connection and per chunk. */
function forward(from: Socket, to: Socket): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) from.pause();
  });
  to.on('drain', () => from.resume());
  // The peer's FIN becomes ours (half-close); the other direction stays open until it ends too.
  from.on('end', () => to.end());
}

function splice(client: Socket, upstream: Socket, f: Frontend, key: string): void {
  let closed = 0;
  const t: Tracked = {
    endpoint: key,
    pendingBytes: () => [client.bytesRead, upstream.bytesRead],
    close() {
      f.tracked.delete(t);
      reset(client);
      reset(upstream);
    },
  };
  f.tracked.add(t);
  const done = () => {
    if (++closed < 2) return;
    f.tracked.delete(t);
    f.counters.bytesIn += client.bytesRead;
    f.counters.bytesOut += upstream.bytesRead;
  };
  client.on('close', done);
  upstream.on('close', done);
  // An error on one side (ECONNRESET, EPIPE) ends the pair; the peer sees a reset, not a clean close.
  client.on('error', (e) => {
    f.counters.errors++;
    f.log.debug('client connection error', { service: f.id, error: e });
    reset(upstream);
  });
  upstream.on('error', (e) => {
    f.counters.errors++;
    f.log.debug('endpoint connection error', { service: f.id, endpoint: key, error: e });
    reset(client);
  });
  forward(client, upstream);
  forward(upstream, client);
  client.resume();
}

function dial(client: Socket, f: Frontend, timeouts: readonly number[], attempt: number): void {
  if (client.destroyed) return;
  const e = f.balancer.pick(clientIP(client.remoteAddress), attempt > 0);
  if (!e) {
    f.counters.noEndpoint++;
    reset(client);
    return;
  }
  const key = endpointKey(e);
  const upstream = connect({ host: e.ip, port: e.port, allowHalfOpen: true, noDelay: true });
  let settled = false;
  const fail = (why: unknown) => {
    if (settled) return;
    settled = true;
    cancel();
    client.off('close', abandon);
    upstream.destroy();
    f.counters.errors++;
    f.log.debug('dial failed', { service: f.id, endpoint: key, attempt: attempt + 1, error: why });
    if (attempt + 1 < timeouts.length) dial(client, f, timeouts, attempt + 1);
    else {
      f.log.warn('no endpoint reachable, resetting client', { service: f.id, attempts: timeouts.length });
      reset(client);
    }
  };
  const timer = setTimeout(() => fail(new Error(`timed out after ${timeouts[attempt]} ms`)), timeouts[attempt] ?? 1000);
  const cancel = () => clearTimeout(timer);
  // The client gave up while we were dialling.
  const abandon = () => {
    if (settled) return;
    settled = true;
    cancel();
    upstream.destroy();
  };
  client.once('close', abandon);
  upstream.once('error', fail);
  upstream.once('connect', () => {
    if (settled) return;
    settled = true;
    cancel();
    client.off('close', abandon);
    upstream.off('error', fail);
    splice(client, upstream, f, key);
  });
}

export function listenTcp(host: string, port: number, frontend: Frontend, o: TcpOptions = {}): Promise<ProxyListener> {
  const timeouts = o.dialTimeoutsMs ?? DIAL_TIMEOUTS_MS;
  const sockets = new Set<Socket>();
  const server: Server = createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (client) => {
    const f = listener.frontend;
    f.counters.connections++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    // Errors before the splice (a client resetting while we dial) must not go unhandled.
    client.on('error', () => undefined);
    dial(client, f, timeouts, 0);
  });
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const listener: ProxyListener = {
    address,
    frontend,
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      server.on('error', (e) => {
        listener.frontend.counters.errors++;
        listener.frontend.log.warn('tcp listener error', { address, error: e });
      });
      resolve(listener);
    });
  });
}
