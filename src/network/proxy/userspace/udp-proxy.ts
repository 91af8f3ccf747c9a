// UDP forwarding for one listen address. Each client address:port gets a "session": its own socket
// connected to the endpoint chosen for it, so the endpoint's replies can be told apart and sent back
// to that client from the service socket (the client sees the service address answer). A session
// ends after idleMs without a datagram either way; kube-proxy's userspace mode did the same with
// --udp-timeout, default 250 ms. Datagrams for a service port without endpoints are dropped. An
// ICMP "port unreachable" from the endpoint (ECONNREFUSED on the session socket) ends the session,
// and that client's next datagram is sent to another endpoint, affinity reset.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { endpointKey } from './balancer.js';
import { clientIP, type Frontend, type Tracked } from './frontend.js';
import type { ProxyListener } from './tcp-proxy.js';

/** kube-proxy's --udp-timeout default (userspace mode). */
const UDP_IDLE_MS = 250;

export interface UdpOptions {
  idleMs?: number;
}

interface Session extends Tracked {
  send(msg: Buffer): void;
}

function openSession(
  service: UdpSocket,
  f: Frontend,
  to: { ip: string; port: number },
  client: { address: string; port: number },
  idleMs: number,
  ended: (s: Session, failed: boolean) => void,
): Session {
  const sock = createSocket({ type: isIPv6(to.ip) ? 'udp6' : 'udp4' });
  const queue: Buffer[] = [];
  let connected = false;
  let closed = false;
  let last = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number) => {
    timer = setTimeout(() => {
      const quiet = Date.now() - last;
      if (quiet >= idleMs) end(false);
      else arm(idleMs - quiet);
    }, ms);
    timer.unref?.();
  };
  const end = (failed: boolean) => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    f.tracked.delete(s);
    sock.close();
    ended(s, failed);
  };
  const s: Session = {
    endpoint: endpointKey(to),
    pendingBytes: () => [0, 0],
    close: () => end(false),
    send(msg) {
      last = Date.now();
      if (!connected) {
        queue.push(msg);
        return;
      }
      // A failed send surfaces as the socket's 'error' event, which ends the session.
      sock.send(msg);
    },
  };
  sock.on('message', (reply) => {
    last = Date.now();
    f.counters.datagramsOut++;
    f.counters.bytesOut += reply.length;
    // A failed send surfaces as the service socket's 'error' event (counted there).
    service.send(reply, client.port, client.address);
  });
  sock.on('error', (e) => {
    f.counters.errors++;
    f.log.debug('udp session error', { service: f.id, endpoint: s.endpoint, error: e });
    end(true);
  });
  sock.connect(to.port, to.ip, () => {
    if (closed) return;
    connected = true;
    for (const m of queue.splice(0)) s.send(m);
  });
  f.tracked.add(s);
  arm(idleMs);
  return s;
}

export function listenUdp(host: string, port: number, frontend: Frontend, o: UdpOptions = {}): Promise<ProxyListener> {
  const idleMs = o.idleMs ?? UDP_IDLE_MS;
  const sock = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
  const sessions = new Map<string, Session>();
  /** clients whose last session failed: their next pick skips affinity */
  const retry = new Set<string>();
  let closing = false;
  sock.on('message', (msg, rinfo) => {
    const f = listener.frontend;
    f.counters.datagramsIn++;
    f.counters.bytesIn += msg.length;
    const key = `${rinfo.address}|${rinfo.port}`;
    let s = sessions.get(key);
    if (!s) {
      const failedBefore = retry.delete(key);
      const e = f.balancer.pick(clientIP(rinfo.address), failedBefore);
      if (!e) {
        f.counters.noEndpoint++;
        return;
      }
      const created: Session = openSession(sock, f, e, { address: rinfo.address, port: rinfo.port }, idleMs, (ended, failed) => {
        if (sessions.get(key) === ended) sessions.delete(key);
        if (failed && !closing) retry.add(key);
        if (retry.size > 4096) retry.clear();
      });
      s = created;
      sessions.set(key, s);
    }
    s.send(msg);
  });
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const listener: ProxyListener = {
    address,
    frontend,
    close() {
      closing = true;
      for (const s of [...sessions.values()]) s.close();
      return new Promise((resolve) => sock.close(() => resolve()));
    },
  };
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind({ address: host, port, exclusive: true }, () => {
      sock.off('error', reject);
      sock.on('error', (e) => {
        listener.frontend.counters.errors++;
        // Mostly a reply that could not be sent to a client that went away: not worth a warning each.
        listener.frontend.log.debug('udp listener error', { address, error: e });
      });
      resolve(listener);
    });
  });
}
