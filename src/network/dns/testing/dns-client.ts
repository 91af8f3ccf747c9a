// A small DNS client for tests and the benchmark: builds queries with dns-packet, sends raw bytes
// over UDP or TCP (several queries on one connection), and decodes replies with their rcode.

import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import dnsPacket, { type DecodedPacket, type RecordType } from 'dns-packet';

export interface QueryOptions {
  id?: number;
  /** EDNS0 UDP size to advertise (no OPT when absent). */
  edns?: number;
  rd?: boolean;
}

export function makeQuery(name: string, type: RecordType, o: QueryOptions = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: o.id ?? 4242,
    flags: o.rd === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    additionals: o.edns
      ? [{ type: 'OPT', name: '.', udpPayloadSize: o.edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
      : [],
  });
}

export type Reply = DecodedPacket & { rcode: string; tc: boolean; aa: boolean; size: number };

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export function decodeReply(buf: Buffer): Reply {
  const p = dnsPacket.decode(buf);
  const flags = buf.readUInt16BE(2);
  return Object.assign(p, {
    rcode: RCODES[flags & 0xf] ?? `RCODE${flags & 0xf}`,
    tc: (flags & 0x0200) !== 0,
    aa: (flags & 0x0400) !== 0,
    size: buf.length,
  });
}

/** Sends one UDP datagram; the reply, or undefined when none comes within `timeoutMs`. */
export function udpExchange(port: number, packet: Buffer, timeoutMs = 2000, host = '127.0.0.1'): Promise<Buffer | undefined> {
  const sock = createSocket('udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      sock.close();
      resolve(undefined);
    }, timeoutMs);
    sock.on('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(m);
    });
    sock.send(packet, port, host);
  });
}

/** Sends raw bytes on one TCP connection and collects `expect` length-prefixed replies. */
export function tcpExchangeRaw(port: number, bytes: Buffer, expect: number, timeoutMs = 2000, host = '127.0.0.1'): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    const replies: Buffer[] = [];
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(replies);
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(replies);
    };
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('connect', () => sock.write(bytes));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        replies.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (replies.length >= expect) finish();
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(replies);
    });
  });
}

export const frame = (packet: Buffer): Buffer => {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(packet.length, 0);
  return Buffer.concat([len, packet]);
};

/** Several queries on one TCP connection, written at once. */
export const tcpExchange = (port: number, packets: Buffer[]): Promise<Buffer[]> =>
  tcpExchangeRaw(port, Buffer.concat(packets.map(frame)), packets.length);
