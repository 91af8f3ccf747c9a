// Keeps connections that never authenticate from using up the server's file descriptors: a cap on
// connections per client address and on all connections (below the process's open-file limit), a
// deadline for the first request after the TLS handshake, and a short idle limit for connections
// that have not authenticated yet. When a cap is reached, the oldest idle connection that never
// authenticated makes room; a connection that authenticated is never closed by these rules (only by
// the server's ordinary keep-alive timeout).

import { readFileSync } from 'node:fs';
import type { Server } from 'node:https';
import type { Socket } from 'node:net';

export interface ConnectionGuardOptions {
  /** connections one client address may hold (default 512) */
  maxPerAddress?: number;
  /** connections in all (default: the open-file limit less a reserve for the store, logs and Unix-socket clients) */
  maxTotal?: number;
  /** time from accept to the first request's headers (default 10 s) */
  firstRequestMs?: number;
  /** idle time after a response on a connection that has not authenticated (default 10 s) */
  idleUnauthenticatedMs?: number;
}

export interface ConnectionGuard {
  /** Marks the connection of a request as authenticated: the idle and eviction rules leave it alone. */
  authenticated(sock: Socket): void;
  stats(): { open: number; addresses: number };
}

interface Conn {
  sock: Socket;
  key: string;
  addr: string;
  authenticated: boolean;
  busy: number;
  timer: NodeJS.Timeout | undefined;
}

const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 512;
const FD_RESERVE = 256;

/** The soft open-file limit of this process (Linux), or undefined. */
function openFileLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function defaultMaxTotal(): number {
  const limit = openFileLimit();
  return limit === undefined ? 16_384 : Math.max(64, limit - FD_RESERVE);
}

const keyOf = (s: Socket) => `${s.remoteAddress ?? ''}|${s.remotePort ?? ''}`;

export function guardConnections(server: Server, o: ConnectionGuardOptions = {}): ConnectionGuard {
  const maxPerAddress = o.maxPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
  const maxTotal = o.maxTotal ?? defaultMaxTotal();
  const firstRequestMs = o.firstRequestMs ?? 10_000;
  const idleMs = o.idleUnauthenticatedMs ?? 10_000;
  const byKey = new Map<string, Conn>();
  // insertion order is age order: the first idle unauthenticated entry is the one to evict
  const byAddr = new Map<string, Set<Conn>>();

  const arm = (c: Conn, ms: number) => {
    if (c.timer) clearTimeout(c.timer);
    c.timer = setTimeout(() => c.sock.destroy(), ms);
    c.timer.unref();
  };
  const disarm = (c: Conn) => {
    if (c.timer) clearTimeout(c.timer);
    c.timer = undefined;
  };
  const evictable = (c: Conn) => !c.authenticated && c.busy === 0;
  const evictOne = (pool: Iterable<Conn>): boolean => {
    for (const c of pool) {
      if (!evictable(c)) continue;
      drop(c);
      c.sock.destroy();
      return true;
    }
    return false;
  };
  const drop = (c: Conn) => {
    disarm(c);
    if (byKey.get(c.key) === c) byKey.delete(c.key);
    const set = byAddr.get(c.addr);
    set?.delete(c);
    if (set && set.size === 0) byAddr.delete(c.addr);
  };

  server.on('connection', (sock: Socket) => {
    const addr = sock.remoteAddress ?? '';
    const mine = byAddr.get(addr);
    if ((mine && mine.size >= maxPerAddress && !evictOne(mine)) || (byKey.size >= maxTotal && !evictOne(byKey.values()))) {
      sock.destroy();
      return;
    }
    const c: Conn = { sock, key: keyOf(sock), addr, authenticated: false, busy: 0, timer: undefined };
    byKey.set(c.key, c);
    let set = byAddr.get(addr);
    if (!set) byAddr.set(addr, (set = new Set()));
    set.add(c);
    // covers the TLS handshake too (the server's own handshakeTimeout also applies)
    arm(c, firstRequestMs);
    sock.once('close', () => drop(c));
  });
  const onRequest = (req: { socket: Socket }, res: { once(ev: 'finish' | 'close', f: () => void): unknown } | undefined) => {
    const c = byKey.get(keyOf(req.socket));
    if (!c) return;
    c.busy++;
    disarm(c);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      c.busy--;
      if (c.busy === 0 && !c.authenticated && !c.sock.destroyed) arm(c, idleMs);
    };
    res?.once('finish', end);
    res?.once('close', end);
  };
  server.prependListener('request', (req, res) => onRequest(req, res));
  // upgraded connections (exec, port-forward) leave the HTTP server: they are the proxy's from now on
  server.prependListener('upgrade', (req: { socket: Socket }) => {
    const c = byKey.get(keyOf(req.socket));
    if (c) {
      c.busy++;
      disarm(c);
    }
  });
  return {
    authenticated(sock) {
      const c = byKey.get(keyOf(sock));
      if (!c) return;
      c.authenticated = true;
      disarm(c);
    },
    stats: () => ({ open: byKey.size, addresses: byAddr.size }),
  };
}
