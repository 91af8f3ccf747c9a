// The sockets: one UDP socket and one TCP listener on the same address and port. TCP follows
// RFC 7766: every message has a 2-byte length in front, a connection carries any number of
// queries (answered as they complete, so possibly out of order), and an idle connection is closed
// after IDLE_MS. A broken stream (a frame longer than allowed) closes that connection only.
//
// A UDP socket bound to a wildcard address (0.0.0.0) sends its replies from whatever source address
// the route back to the asker picks, which need not be the address the query was sent to: a pod
// whose query the service proxy DNATed to the node's address gets the reply from the pod bridge's
// address, which matches no conntrack entry, so it is not translated back to 10.96.0.10 and the pod
// drops it. Node's dgram cannot read a datagram's destination (IP_PKTINFO), so, as BIND does per
// interface, each address named in `udpAddresses` gets a UDP socket of its own beside the wildcard
// one (both with SO_REUSEADDR; the kernel delivers to the more specific bind), and replies to
// queries sent to it come from it. TCP has no such problem: a connection answers from its own address.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { isIPv6 } from 'node:net';
import type { Logger } from '../../base/log.js';
import type { QueryHandler } from './query-handler.js';

const IDLE_MS = 10_000;
/** Connections served at once; more are refused so that a flood cannot take all descriptors. */
const MAX_CONNECTIONS = 1024;

export interface Transports {
  udpPort: number;
  tcpPort: number;
  close(): Promise<void>;
}

function bindUdp(host: string, port: number, handler: QueryHandler, log: Logger, reuseAddr = false): Promise<UdpSocket> {
  const sock = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', reuseAddr });
  sock.on('message', (msg, rinfo) => {
    handler.handle(msg, 'udp').then(
      (reply) => {
        if (reply) sock.send(reply, rinfo.port, rinfo.address, (e) => e && log.debug('udp send failed', { error: e }));
      },
      (e: unknown) => log.error('udp query failed', { error: e }),
    );
  });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, host, () => {
      sock.off('error', reject);
      sock.on('error', (e) => log.warn('udp socket error', { error: e }));
      resolve(sock);
    });
  });
}

function serveConnection(conn: Socket, handler: QueryHandler, log: Logger): void {
  let buf = Buffer.alloc(0);
  conn.setTimeout(IDLE_MS, () => conn.destroy());
  conn.on('error', (e) => log.debug('tcp connection error', { error: e }));
  conn.on('data', (d) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    while (buf.length >= 2) {
      const n = buf.readUInt16BE(0);
      if (buf.length < 2 + n) break;
      const packet = Buffer.from(buf.subarray(2, 2 + n));
      buf = buf.subarray(2 + n);
      handler.handle(packet, 'tcp').then(
        (reply) => {
          if (!reply || conn.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(reply.length, 0);
          conn.write(Buffer.concat([len, reply]));
        },
        (e: unknown) => log.error('tcp query failed', { error: e }),
      );
    }
  });
}

function listenTcp(host: string, port: number, handler: QueryHandler, log: Logger): Promise<{ server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((conn) => {
    sockets.add(conn);
    conn.on('close', () => sockets.delete(conn));
    serveConnection(conn, handler, log);
  });
  server.maxConnections = MAX_CONNECTIONS;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      server.on('error', (e) => log.warn('tcp listener error', { error: e }));
      resolve({ server, sockets });
    });
  });
}

const isWildcard = (host: string) => host === '0.0.0.0' || host === '::' || host === '';

/**
 * Binds UDP, then TCP on the port UDP got (with port 0 the kernel picks one for UDP; if TCP cannot
 * have the same number, a few fresh tries are made), then, for a wildcard `host`, a UDP socket on
 * each of `udpAddresses` (see the file comment; one that cannot be bound is logged and skipped).
 */
export async function startTransports(
  host: string,
  port: number,
  handler: QueryHandler,
  log: Logger,
  udpAddresses: readonly string[] = [],
): Promise<Transports> {
  const pinned = isWildcard(host) ? [...new Set(udpAddresses)].filter((a) => !isWildcard(a) && isIPv6(a) === (host === '::')) : [];
  for (let attempt = 0; ; attempt++) {
    const udp = await bindUdp(host, port, handler, log, pinned.length > 0);
    const udpPort = udp.address().port;
    try {
      const { server, sockets } = await listenTcp(host, udpPort, handler, log);
      // after TCP: when another server holds the port, TCP fails and no socket here takes its queries
      const extra: UdpSocket[] = [];
      for (const a of pinned) {
        await bindUdp(a, udpPort, handler, log, true).then(
          (s) => extra.push(s),
          (e: unknown) =>
            log.warn('cannot bind a UDP socket of its own; replies to it may come from another address', { address: a, error: e }),
        );
      }
      return {
        udpPort,
        tcpPort: udpPort,
        close: async () => {
          udp.close();
          for (const s of extra) s.close();
          for (const s of sockets) s.destroy();
          await new Promise<void>((r) => server.close(() => r()));
        },
      };
    } catch (e) {
      udp.close();
      if (port !== 0 || attempt >= 5) throw e;
    }
  }
}
