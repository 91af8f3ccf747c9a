// Echo servers that stand in for Service endpoints in the userspace proxy's tests and benchmark.
// Each one has a name so a test can tell which endpoint answered: the TCP server greets a new
// connection with `<name>\n` (when named) and then echoes, the UDP server answers `<name>|<datagram>`.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect, type Socket } from 'node:net';

export interface EchoServer {
  readonly name: string;
  readonly port: number;
  /** connections (TCP) open now */
  open(): number;
  /** remote addresses seen (TCP connections or UDP datagrams) */
  readonly peers: string[];
  close(): Promise<void>;
}

export function startTcpEcho(name: string, host = '127.0.0.1', port = 0): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  const peers: string[] = [];
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (s) => {
    sockets.add(s);
    peers.push(`${s.remoteAddress}:${s.remotePort}`);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    if (name) s.write(`${name}\n`);
    s.pipe(s);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      const addr = server.address();
      resolve({
        name,
        port: typeof addr === 'object' && addr ? addr.port : 0,
        open: () => sockets.size,
        peers,
        close: () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

export function startUdpEcho(name: string, host = '127.0.0.1', port = 0): Promise<EchoServer> {
  const sock: UdpSocket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const peers: string[] = [];
  const prefix = name ? Buffer.from(`${name}|`) : Buffer.alloc(0);
  sock.on('message', (msg, r) => {
    peers.push(`${r.address}:${r.port}`);
    sock.send(prefix.length ? Buffer.concat([prefix, msg]) : msg, r.port, r.address);
  });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, host, () => {
      resolve({ name, port: sock.address().port, open: () => 0, peers, close: () => new Promise((r) => sock.close(() => r())) });
    });
  });
}

/** A TCP client that reads the greeting line, sends `msg`, and resolves with the greeting and the echo. */
export function tcpRoundTrip(
  host: string,
  port: number,
  msg: string,
  localAddress?: string,
): Promise<{ from: string; echo: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, ...(localAddress ? { localAddress } : {}) });
    let buf = '';
    let from: string | undefined;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no echo from ${host}:${port} (got ${JSON.stringify(buf)})`));
    }, 5000);
    s.setEncoding('utf8');
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`closed by ${host}:${port} (got ${JSON.stringify(buf)})`));
    });
    s.on('data', (d: string) => {
      buf += d;
      if (from === undefined) {
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        from = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        s.write(msg);
      }
      if (buf.length >= msg.length) {
        clearTimeout(timer);
        s.removeAllListeners('close');
        resolve({ from, echo: buf, socket: s });
      }
    });
  });
}

/** Sends one datagram from `sock` and resolves with the first reply (rejects after timeoutMs). */
export function udpRoundTrip(sock: UdpSocket, host: string, port: number, msg: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: Buffer) => {
      clearTimeout(timer);
      resolve(m.toString());
    };
    const timer = setTimeout(() => {
      sock.off('message', onMsg);
      reject(new Error(`no UDP reply from ${host}:${port}`));
    }, timeoutMs);
    sock.once('message', onMsg);
    sock.send(msg, port, host);
  });
}
