// Malformed input never crashes the server and gets the rcode it deserves: hand-built byte
// buffers over UDP and TCP (pointer loops, truncated packets, oversized ones, question counts,
// opcodes), then a few thousand mutated queries straight into the handler.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import { nullLogger } from '../../base/log.js';
import { startClusterDns, type ClusterDns } from './index.js';
import { createFakeSource, service } from './testing/fake-source.js';
import { decodeReply, frame, makeQuery, tcpExchangeRaw, udpExchange } from './testing/dns-client.js';
import { readMessage, WireError } from './wire.js';

let dns: ClusterDns;

/** A header: id 0x1234, RD, the given opcode and counts. */
function header(qd: number, opcode = 0, an = 0, ns = 0, ar = 0): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(0x1234, 0);
  h.writeUInt16BE((opcode << 11) | 0x0100, 2);
  h.writeUInt16BE(qd, 4);
  h.writeUInt16BE(an, 6);
  h.writeUInt16BE(ns, 8);
  h.writeUInt16BE(ar, 10);
  return h;
}
const qtail = Buffer.from([0, 1, 0, 1]); // A IN
const rcodeOf = (b: Buffer) => b[3]! & 0xf;

const cases: Array<[string, Buffer, number]> = [
  ['a pointer to itself', Buffer.concat([header(1), Buffer.from([0xc0, 12]), qtail]), 1],
  ['a pointer forwards (a two-pointer loop)', Buffer.concat([header(1), Buffer.from([0xc0, 14, 0xc0, 12]), qtail]), 1],
  ['a label then a pointer back into itself', Buffer.concat([header(1), Buffer.from([1, 0x61, 0xc0, 12]), qtail]), 1],
  ['a label running past the end', Buffer.concat([header(1), Buffer.from([40, 0x61, 0x62])]), 1],
  ['a question without its type and class', Buffer.concat([header(1), Buffer.from([1, 0x61, 0]), Buffer.from([0, 1])]), 1],
  ['a header promising a question that is not there', header(1), 1],
  ['no question', header(0), 1],
  ['two questions', Buffer.concat([header(2), Buffer.from([1, 0x61, 0]), qtail, Buffer.from([1, 0x62, 0]), qtail]), 1],
  [
    'an additional record running past the end',
    Buffer.concat([header(1, 0, 0, 0, 1), Buffer.from([1, 0x61, 0]), qtail, Buffer.from([0, 0, 41])]),
    1,
  ],
  ['bytes after the last record', Buffer.concat([header(1), Buffer.from([1, 0x61, 0]), qtail, Buffer.from([7, 7, 7])]), 1],
  [
    'a name longer than 255 bytes',
    Buffer.concat([
      header(1),
      ...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([60]), Buffer.alloc(60, 0x61)])),
      Buffer.from([0]),
      qtail,
    ]),
    1,
  ],
  ['an extended label type', Buffer.concat([header(1), Buffer.from([0x41, 0]), qtail]), 1],
  ['an oversized packet', Buffer.concat([header(1), Buffer.from([1, 0x61, 0]), qtail, Buffer.alloc(5000)]), 1],
  ['opcode STATUS', Buffer.concat([header(1, 2), Buffer.from([1, 0x61, 0]), qtail]), 4],
  ['opcode UPDATE', Buffer.concat([header(1, 5), Buffer.from([1, 0x61, 0]), qtail]), 4],
];

before(async () => {
  dns = await startClusterDns({
    source: createFakeSource([service('default', 'web', { clusterIP: '10.96.0.10', ports: [{ port: 80 }] })]),
    listen: { host: '127.0.0.1', port: 0 },
    upstreams: [],
    log: nullLogger,
  });
});
after(() => dns.stop());

async function stillServing(): Promise<void> {
  const r = await udpExchange(dns.udpPort, makeQuery('web.default.svc.cluster.local', 'A'));
  assert.ok(r, 'the server still answers');
  assert.equal(decodeReply(r).answers?.length, 1);
}

describe('malformed packets over UDP', () => {
  for (const [what, bytes, rcode] of cases) {
    it(`${what}: rcode ${rcode}, same ID`, async () => {
      const r = await udpExchange(dns.udpPort, bytes);
      assert.ok(r, 'a reply');
      assert.equal(r.readUInt16BE(0), 0x1234);
      assert.equal(rcodeOf(r), rcode);
      assert.ok((r[2]! & 0x80) !== 0, 'QR set');
      await stillServing();
    });
  }

  it('drops what has no header, and responses', async () => {
    assert.equal(await udpExchange(dns.udpPort, Buffer.from([1, 2, 3, 4, 5]), 300), undefined);
    const response = Buffer.from(makeQuery('web.default.svc.cluster.local', 'A'));
    response[2]! |= 0x80;
    assert.equal(await udpExchange(dns.udpPort, response, 300), undefined);
    assert.ok(dns.stats().dropped >= 2);
    await stillServing();
  });
});

describe('malformed packets over TCP', () => {
  it('answers each framed bad packet on one connection, then a good one', async () => {
    const bad = cases.filter(([w]) => w !== 'an oversized packet').map(([, b]) => b);
    const good = makeQuery('web.default.svc.cluster.local', 'A', { id: 99 });
    const replies = await tcpExchangeRaw(dns.tcpPort, Buffer.concat([...bad, good].map(frame)), bad.length + 1);
    assert.equal(replies.length, bad.length + 1);
    const last = replies.map(decodeReply).find((r) => r.id === 99);
    assert.equal(last?.answers?.length, 1);
  });

  it('answers an oversized packet with FORMERR, and a query split across writes', async () => {
    const big = cases.find(([w]) => w === 'an oversized packet')![1];
    const [r] = await tcpExchangeRaw(dns.tcpPort, frame(big), 1);
    assert.equal(rcodeOf(r!), 1);
    const q = frame(makeQuery('web.default.svc.cluster.local', 'A'));
    // one byte of length, then the rest: the stream reassembles frames
    const [split] = await tcpExchangeRaw(dns.tcpPort, Buffer.concat([q.subarray(0, 1), q.subarray(1)]), 1);
    assert.equal(decodeReply(split!).answers?.length, 1);
  });
});

describe('the reader', () => {
  it('throws WireError for pointer loops, never hangs; dns-packet throws for them too', () => {
    for (const [, bytes] of cases.slice(0, 3)) {
      assert.throws(() => readMessage(bytes), WireError);
      assert.throws(() => dnsPacket.decode(bytes), /bad pointer|overflow/);
    }
  });
});

describe('fuzzing', () => {
  it('survives thousands of mutated and random packets through UDP', async () => {
    const seeds = [
      makeQuery('web.default.svc.cluster.local', 'A'),
      makeQuery('_http._tcp.web.default.svc.cluster.local', 'SRV', { edns: 1232 }),
      makeQuery('10.0.96.10.in-addr.arpa', 'PTR'),
    ];
    let x = 12345;
    const rand = (n: number) => {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      return x % n;
    };
    const packets: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      const p = Buffer.from(seeds[i % seeds.length]!);
      const flips = 1 + rand(4);
      for (let j = 0; j < flips; j++) p[rand(p.length)] = rand(256);
      packets.push(i % 10 === 0 ? p.subarray(0, rand(p.length)) : p);
    }
    for (let i = 0; i < 300; i++) packets.push(Buffer.from(Array.from({ length: rand(64) }, () => rand(256))));
    // replies may be lost under load (UDP); what matters is that the server stays up and correct
    for (let i = 0; i < packets.length; i += 200) await Promise.all(packets.slice(i, i + 200).map((p) => udpExchange(dns.udpPort, p, 500)));
    await stillServing();
  });
});
