// SPDY/3.1 server and client connections over an upgraded socket, through npm `spdy-transport` (untyped, so the
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

export interface SpdyClientStream extends Duplex {
  id: number;
}

export interface SpdyConnection {
  on(event: 'stream', fn: (s: SpdyStream) => void): this;
  on(event: 'error' | 'close', fn: (err?: Error) => void): this;
  on(event: string, fn: (...args: unknown[]) => void): this;
  start(version: number): void;
  end(cb?: () => void): void;
  destroyStreams(err?: Error): void;
  request(
    uri: { method: string; path: string; host?: string; headers: Record<string, string> },
    cb: (err: Error | null, stream?: SpdyClientStream) => void,
  ): SpdyClientStream;
}

type KvCallback = (err: Error | null, headers?: Record<string, string>) => void;
interface SpdyParser {
  parseKVs(buf: unknown, cb: KvCallback): void;
}

interface SpdyTransportModule {
  connection: {
    create(socket: Duplex, opts: { protocol: string; isServer: boolean; autoSpdy31?: boolean; windowSize?: number }): SpdyConnection;
  };
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
    p.parseKVs = (buf, cb) =>
      parseKVs(buf, (err, headers) => {
        if (!err && headers) {
          if (headers[':method'] === undefined) headers[':method'] = 'POST';
          if (headers[':path'] === undefined) headers[':path'] = '/';
          // Go's SPDY servers reply (SYN_REPLY) with no headers at all; the client side wants a status
          if (headers[':status'] === undefined) headers[':status'] = '200';
        }
        cb(err, headers);
      });
    return p;
  };
  transport = mod;
  return mod;
}

interface WindowSide {
  current: number;
  max: number;
  limit: number;
  lowWaterMark: number;
}
interface HasSendWindow {
  _spdyState?: { window?: { send?: WindowSide } };
}

const UNLIMITED = 2 ** 50;

/**
 * Go's SPDY peers (kubectl, containerd's stream server) never send WINDOW_UPDATE frames, so with
 * spdy-transport's flow control a sender stalls after the initial 64 KiB window. Lift the send window
 * of a stream or of the session (their receive side still grants updates, which Go ignores harmlessly).
 */
export function unlimitSendWindow(o: unknown): void {
  const side = (o as HasSendWindow)._spdyState?.window?.send;
  if (!side) return;
  side.limit = UNLIMITED * 2;
  side.max = UNLIMITED;
  side.current = UNLIMITED;
  side.lowWaterMark = 0;
}

/** A server-side SPDY/3 session on an already upgraded socket. */
export function createSpdyServerConnection(socket: Duplex): SpdyConnection {
  const conn = load().connection.create(socket, { protocol: 'spdy', isServer: true });
  unlimitSendWindow(conn);
  conn.on('stream', (s) => unlimitSendWindow(s));
  return conn;
}

/** A client-side SPDY/3.1 session on a socket that was already upgraded (101 Switching Protocols). */
export function createSpdyClientConnection(socket: Duplex): SpdyConnection {
  const conn = load().connection.create(socket, { protocol: 'spdy', isServer: false });
  conn.start(3.1);
  unlimitSendWindow(conn);
  return conn;
}
