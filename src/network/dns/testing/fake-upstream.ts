// A tiny upstream DNS server on loopback for forwarder tests: answers from a table, over UDP and
// TCP on one port, counts what it is asked, and can truncate UDP answers or stay silent.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import dnsPacket, { type Answer } from 'dns-packet';

interface FakeZoneEntry {
  rcode?: number;
  answers?: Answer[];
  authorities?: Answer[];
  /** Answer over UDP with TC set and no records (the full answer only over TCP). */
  truncateUdp?: boolean;
}

export interface FakeUpstream {
  port: number;
  /** `name|TYPE` (lower-case name) -> entry; names not listed get NXDOMAIN with an SOA. */
  zone: Map<string, FakeZoneEntry>;
  udpQueries: number;
  tcpQueries: number;
  /** While true nothing is answered. */
  silent: boolean;
  close(): Promise<void>;
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const udp: UdpSocket = createSocket('udp4');
  const conns = new Set<Socket>();
  const state: FakeUpstream = { port: 0, zone: new Map(), udpQueries: 0, tcpQueries: 0, silent: false, close: async () => {} };

  const answer = (query: Buffer, overUdp: boolean): Buffer => {
    const q = dnsPacket.decode(query);
    const question = q.questions![0]!;
    const e = state.zone.get(`${question.name.toLowerCase()}|${question.type}`);
    const soa: Answer = {
      type: 'SOA',
      name: 'example',
      ttl: 60,
      data: { mname: 'ns.example', rname: 'root.example', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 30 },
    };
    const tc = overUdp && e?.truncateUdp === true;
    const rcode = e ? (e.rcode ?? 0) : 3;
    return dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (tc ? dnsPacket.TRUNCATED_RESPONSE : 0) | rcode,
      questions: [question],
      answers: tc ? [] : (e?.answers ?? []),
      authorities: tc ? [] : e ? (e.authorities ?? []) : [soa],
      additionals: [
        { type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] },
      ],
    });
  };

  udp.on('message', (m, r) => {
    state.udpQueries++;
    if (!state.silent) udp.send(answer(m, true), r.port, r.address);
  });
  const server: Server = createServer((c) => {
    conns.add(c);
    c.on('close', () => conns.delete(c));
    c.on('error', () => {});
    let buf = Buffer.alloc(0);
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const q = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + q.length);
        state.tcpQueries++;
        if (state.silent) continue;
        const a = answer(q, false);
        const len = Buffer.alloc(2);
        len.writeUInt16BE(a.length, 0);
        c.write(Buffer.concat([len, a]));
      }
    });
  });
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  state.port = udp.address().port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(state.port, '127.0.0.1', () => resolve());
  });
  state.close = async () => {
    udp.close();
    for (const c of conns) c.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return state;
}
