// Port-forward over SPDY (`portforward.k8s.io`): for every local connection kubectl opens a stream
// pair sharing a `requestid` header: `streamtype: error` (we write a message there if forwarding
// fails) and `streamtype: data` with `port`, which is bridged to a TCP connection into the pod.
// When the pod side closes, both streams are ended: kubectl waits for the error stream's end.

import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Logger } from '../../base/log.js';

export interface PortForwardStream extends Duplex {
  headers: Record<string, string>;
  respond(status: number, headers: Record<string, string>): void;
  abort(code?: string): void;
}

export interface PortForwardSession {
  onStream(s: PortForwardStream): void;
  /** ends every bridged connection */
  close(): void;
}

interface Pair {
  error?: PortForwardStream;
  data?: PortForwardStream;
  port?: number;
  tcp?: Socket;
  failed?: string;
}

/** Parses the stream headers kubectl sends; an error text when they are unusable. */
export function parseStreamHeaders(
  h: Record<string, string>,
): { type: 'error' | 'data'; requestId: string; port: number | undefined } | string {
  const type = h['streamtype'];
  if (type !== 'error' && type !== 'data') return `invalid stream type ${JSON.stringify(type ?? '')}`;
  const requestId = h['requestid'] ?? '';
  const portText = h['port'];
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) return `invalid port ${JSON.stringify(portText)}`;
  }
  if (type === 'data' && port === undefined) return 'data stream without a port header';
  return { type, requestId, port };
}

export function createPortForwardSession(opts: { dial: (port: number) => Socket; describe: string; log?: Logger }): PortForwardSession {
  const pairs = new Map<string, Pair>();
  const sockets = new Set<Socket>();

  const fail = (p: Pair, message: string) => {
    p.failed = message;
    if (p.error && p.error.writable) p.error.end(message);
  };

  const tryStart = (id: string, p: Pair) => {
    if (!p.error || !p.data || p.tcp || p.port === undefined) return;
    const port = p.port;
    const data = p.data;
    const error = p.error;
    const tcp = opts.dial(port);
    p.tcp = tcp;
    sockets.add(tcp);
    const finish = () => {
      sockets.delete(tcp);
      pairs.delete(id);
      if (data.writable) data.end();
      if (error.writable) error.end();
    };
    tcp.on('error', (err) => {
      fail(p, `error forwarding port ${port} to pod ${opts.describe}: ${err.message}`);
      opts.log?.warn('port-forward connection failed', { pod: opts.describe, port, error: err.message });
      finish();
    });
    tcp.on('close', finish);
    data.on('error', () => tcp.destroy());
    data.pipe(tcp);
    tcp.pipe(data, { end: false });
    tcp.on('end', () => {
      if (data.writable) data.end();
    });
  };

  return {
    onStream(s) {
      const h = parseStreamHeaders(s.headers);
      if (typeof h === 'string') {
        opts.log?.warn('port-forward stream rejected', { pod: opts.describe, reason: h });
        s.abort('PROTOCOL_ERROR');
        return;
      }
      s.respond(200, {});
      s.on('error', () => undefined);
      let p = pairs.get(h.requestId);
      if (!p) {
        p = {};
        pairs.set(h.requestId, p);
      }
      if (h.type === 'error') {
        p.error = s;
        s.resume(); // kubectl writes nothing here; drain its FIN
        if (p.failed) s.end(p.failed);
      } else {
        p.data = s;
        p.port = h.port;
      }
      tryStart(h.requestId, p);
    },
    close() {
      for (const t of sockets) t.destroy();
      sockets.clear();
      pairs.clear();
    },
  };
}
