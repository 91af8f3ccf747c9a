// Sends questions outside the cluster zone to the upstream resolvers: over UDP first (a fresh
// random ID, an EDNS0 OPT offering 1232 bytes, response.ts), and again over TCP to the same server when the
// UDP answer comes back truncated. A server that does not answer within the timeout, or refuses the
// connection, is skipped for the next one; when none answers the caller gets an error (SERVFAIL).
// An answer is accepted only from the address asked, with the ID and the question asked.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6, connect } from 'node:net';
import { randomInt } from 'node:crypto';
import type { Logger } from '../../base/log.js';
import { HEADER_BYTES, readHeader } from './wire.js';
import { optRecord } from './response.js';

export interface Upstream {
  host: string;
  port: number;
}

export interface Forwarder {
  /** The raw answer of the first upstream that gives one; rejects when none does. */
  query(labels: readonly string[], qtype: number, qclass: number): Promise<Buffer>;
  close(): void;
}

export interface ForwarderOptions {
  upstreams: readonly Upstream[];
  /** Per attempt (default 2000 ms). */
  timeoutMs?: number;
  log: Logger;
}

/** The query we send: RD set, one question, our OPT. */
function encodeQuery(id: number, labels: readonly string[], qtype: number, qclass: number): Buffer {
  const name = Buffer.concat([
    ...labels.map((l) => {
      const b = Buffer.from(l, 'latin1');
      return Buffer.concat([Buffer.from([b.length]), b]);
    }),
    Buffer.from([0]),
  ]);
  const h = Buffer.alloc(HEADER_BYTES);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(0x0100, 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(1, 10);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(qtype, 0);
  tail.writeUInt16BE(qclass, 2);
  return Buffer.concat([h, name, tail, optRecord()]);
}

/** Whether `answer` carries the question of `query` (compared without regard to case). */
function sameQuestion(query: Buffer, answer: Buffer): boolean {
  const qEnd = query.length - 11; // the question ends where our OPT starts
  const len = qEnd - HEADER_BYTES;
  if (answer.length < HEADER_BYTES + len || answer.readUInt16BE(4) !== 1) return false;
  return (
    query.subarray(HEADER_BYTES, qEnd).toString('latin1').toLowerCase() ===
    answer
      .subarray(HEADER_BYTES, HEADER_BYTES + len)
      .toString('latin1')
      .toLowerCase()
  );
}

class UpstreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export function createForwarder(opts: ForwarderOptions): Forwarder {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const pending = new Map<number, { query: Buffer; up: Upstream; done: (b: Buffer) => void; fail: (e: Error) => void }>();
  const sockets = new Map<'udp4' | 'udp6', UdpSocket>();
  let closed = false;

  const socketFor = (family: 'udp4' | 'udp6'): UdpSocket => {
    let s = sockets.get(family);
    if (s) return s;
    s = createSocket(family);
    s.on('error', (e) => opts.log.warn('upstream socket error', { error: e }));
    s.on('message', (msg, rinfo) => {
      const h = readHeader(msg);
      if (!h || !h.qr) return;
      const p = pending.get(h.id);
      if (!p || rinfo.port !== p.up.port || rinfo.address.replace(/^::ffff:/, '') !== p.up.host.replace(/^::ffff:/, '')) return;
      if (!sameQuestion(p.query, msg)) return;
      p.done(msg);
    });
    s.unref();
    sockets.set(family, s);
    return s;
  };

  function udp(up: Upstream, labels: readonly string[], qtype: number, qclass: number): Promise<Buffer> {
    let id = randomInt(0, 0x10000);
    for (let i = 0; pending.has(id) && i < 16; i++) id = randomInt(0, 0x10000);
    const query = encodeQuery(id, labels, qtype, qclass);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new UpstreamError(`${up.host}:${up.port} did not answer in ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        query,
        up,
        done: (b) => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(b);
        },
        fail: (e) => {
          clearTimeout(timer);
          pending.delete(id);
          reject(e);
        },
      });
      socketFor(isIPv6(up.host) ? 'udp6' : 'udp4').send(query, up.port, up.host, (e) => {
        if (!e) return;
        clearTimeout(timer);
        pending.delete(id);
        reject(new UpstreamError(`sending to ${up.host}:${up.port}: ${e.message}`));
      });
    });
  }

  function tcp(up: Upstream, labels: readonly string[], qtype: number, qclass: number): Promise<Buffer> {
    const query = encodeQuery(randomInt(0, 0x10000), labels, qtype, qclass);
    return new Promise((resolve, reject) => {
      const sock = connect({ host: up.host, port: up.port });
      let got = Buffer.alloc(0);
      const fail = (msg: string) => {
        sock.destroy();
        reject(new UpstreamError(`${up.host}:${up.port} over TCP: ${msg}`));
      };
      sock.setTimeout(timeoutMs, () => fail(`no answer in ${timeoutMs} ms`));
      sock.on('error', (e) => fail(e.message));
      sock.on('connect', () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(query.length, 0);
        sock.write(Buffer.concat([len, query]));
      });
      sock.on('data', (d) => {
        got = Buffer.concat([got, d]);
        if (got.length < 2) return;
        const n = got.readUInt16BE(0);
        if (got.length < 2 + n) return;
        const answer = got.subarray(2, 2 + n);
        sock.destroy();
        if (answer.length < HEADER_BYTES || answer.readUInt16BE(0) !== query.readUInt16BE(0) || !sameQuestion(query, answer))
          reject(new UpstreamError(`${up.host}:${up.port} over TCP answered another question`));
        else resolve(answer);
      });
      sock.on('end', () => fail('closed before answering'));
    });
  }

  return {
    async query(labels, qtype, qclass) {
      if (closed) throw new UpstreamError('forwarder is closed');
      if (opts.upstreams.length === 0) throw new UpstreamError('no upstream resolvers configured');
      const errors: string[] = [];
      for (const up of opts.upstreams) {
        try {
          const a = await udp(up, labels, qtype, qclass);
          if ((a.readUInt16BE(2) & 0x0200) === 0) return a;
          return await tcp(up, labels, qtype, qclass);
        } catch (e) {
          errors.push(e instanceof Error ? e.message : String(e));
        }
      }
      throw new UpstreamError(`no upstream answered: ${errors.join('; ')}`);
    },
    close() {
      closed = true;
      for (const s of sockets.values()) s.close();
      sockets.clear();
      for (const p of [...pending.values()]) p.fail(new UpstreamError('forwarder closed'));
    },
  };
}
