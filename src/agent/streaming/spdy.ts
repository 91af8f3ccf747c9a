// SPDY/3.1 server connections over an upgraded socket, through npm `spdy-transport` (untyped, so the
// few parts used are typed here). Kubernetes' clients send SYN_STREAM frames without the HTTP
// pseudo-headers `:method` and `:path`, which spdy-transport rejects; its parser factory is wrapped
// at load time so that parsed header blocks get harmless defaults for them.

import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';

export interface SpdyStream extends Duplex {
  id: number;
  headers: Record<string, string>;
  respond(status: number, headers: Record<string, string>, cb?: (err?: Error) => void): void;
  abort(code?: string, cb?: () => void): void;
}

export interface SpdyConnection {
  on(event: 'stream', fn: (s: SpdyStream) => void): this;
  on(event: 'error' | 'close', fn: (err?: Error) => void): this;
  on(event: string, fn: (...args: unknown[]) => void): this;
  start(version: number): void;
  end(cb?: () => void): void;
  destroyStreams(err?: Error): void;
}

type KvCallback = (err: Error | null, headers?: Record<string, string>) => void;
interface SpdyParser { parseKVs(buf: unknown, cb: KvCallback): void }

interface SpdyTransportModule {
  connection: { create(socket: Duplex, opts: { protocol: string; isServer: boolean; autoSpdy31?: boolean; windowSize?: number }): SpdyConnection };
  protocol: { spdy: { parser: { create(opts: unknown): SpdyParser } } };
}

let transport: SpdyTransportModule | undefined;

function load(): SpdyTransportModule {
  if (transport) return transport;
  const req = createRequire(import.meta.url);
  const mod: SpdyTransportModule = req('spdy-transport');
  const parserModule = mod.protocol.spdy.parser;
  const create = parserModule.create.bind(parserModule);
  parserModule.create = (opts: unknown): SpdyParser => {
    const p = create(opts);
    const parseKVs = p.parseKVs.bind(p);
    p.parseKVs = (buf, cb) => parseKVs(buf, (err, headers) => {
      if (!err && headers) {
        if (headers[':method'] === undefined) headers[':method'] = 'POST';
        if (headers[':path'] === undefined) headers[':path'] = '/';
      }
      cb(err, headers);
    });
    return p;
  };
  transport = mod;
  return mod;
}

/** A server-side SPDY/3 session on an already upgraded socket. */
export function createSpdyServerConnection(socket: Duplex): SpdyConnection {
  const conn = load().connection.create(socket, { protocol: 'spdy', isServer: true });
  return conn;
}
