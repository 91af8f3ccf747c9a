// Names outside the cluster zone, against a fake upstream server on loopback: answers relayed,
// the cache (TTLs counted down, expiry, denials, one upstream query for a burst), the retry over
// TCP when the upstream truncates, truncation towards our own asker, and SERVFAIL when no upstream
// answers.

import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Answer, RecordType } from 'dns-packet';
import { nullLogger } from '../../base/log.js';
import { createManualClock, type ManualClock } from '../../base/testing/manual-clock.js';
import { startClusterDns, type ClusterDns } from './index.js';
import { createFakeSource } from './testing/fake-source.js';
import { decodeReply, makeQuery, tcpExchange, udpExchange, type QueryOptions, type Reply } from './testing/dns-client.js';
import { startFakeUpstream, type FakeUpstream } from './testing/fake-upstream.js';

const ttlOf = (a: Answer | undefined): number | undefined => (a && 'ttl' in a ? a.ttl : undefined);
const dataOf = (a: Answer | undefined): unknown => (a && 'data' in a ? a.data : undefined);

let up: FakeUpstream;
let dns: ClusterDns;
let clock: ManualClock;

async function ask(name: string, type: RecordType, o: QueryOptions = {}, server = dns): Promise<Reply> {
  const raw = await udpExchange(server.udpPort, makeQuery(name, type, o), 3000);
  assert.ok(raw, `no reply for ${name}`);
  return decodeReply(raw);
}

before(async () => {
  up = await startFakeUpstream();
  clock = createManualClock(1_000_000);
  dns = await startClusterDns({
    source: createFakeSource(),
    listen: { host: '127.0.0.1', port: 0 },
    upstreams: [`127.0.0.1:${up.port}`],
    upstreamTimeoutMs: 300,
    log: nullLogger,
    clock,
  });
});
after(async () => {
  await dns.stop();
  await up.close();
});
beforeEach(() => {
  up.silent = false;
});

describe('forwarding', () => {
  it('relays the upstream answer with the asker ID, RD and RA, not authoritative', async () => {
    up.zone.set('relay.example|A', { answers: [{ type: 'A', name: 'relay.example', ttl: 300, data: '192.0.2.1' }] });
    const r = await ask('relay.example', 'A', { id: 777 });
    assert.equal(r.id, 777);
    assert.equal(r.rcode, 'NOERROR');
    assert.equal(r.aa, false);
    assert.equal(r.flag_rd, true);
    assert.equal(r.flag_ra, true);
    assert.deepEqual(r.answers?.map(dataOf), ['192.0.2.1']);
    assert.equal(ttlOf(r.answers?.[0]), 300);
    assert.equal(r.additionals?.length, 0, "the upstream's OPT is not handed to a client that sent none");
  });

  it('serves the cache with TTLs counted down, and asks again after they run out', async () => {
    up.zone.set('cached.example|A', { answers: [{ type: 'A', name: 'cached.example', ttl: 60, data: '192.0.2.2' }] });
    await ask('cached.example', 'A');
    const asked = up.udpQueries;
    const hits = dns.stats().cacheHits;
    clock.advance(10_000);
    const r = await ask('CACHED.example', 'A');
    assert.equal(up.udpQueries, asked, 'answered from the cache');
    assert.equal(dns.stats().cacheHits, hits + 1);
    assert.equal(ttlOf(r.answers?.[0]), 50);
    assert.equal(r.questions?.[0]?.name, 'CACHED.example', "the asker's spelling comes back");
    clock.advance(51_000);
    const again = await ask('cached.example', 'A');
    assert.equal(up.udpQueries, asked + 1, 'expired: asked upstream again');
    assert.equal(ttlOf(again.answers?.[0]), 60);
  });

  it('caches a denial for the SOA minimum (RFC 2308)', async () => {
    const r = await ask('nothing.example', 'A');
    assert.equal(r.rcode, 'NXDOMAIN');
    const asked = up.udpQueries;
    clock.advance(29_000);
    assert.equal((await ask('nothing.example', 'A')).rcode, 'NXDOMAIN');
    assert.equal(up.udpQueries, asked);
    clock.advance(2_000);
    await ask('nothing.example', 'A');
    assert.equal(up.udpQueries, asked + 1);
  });

  it('asks the upstream once for a burst of the same question', async () => {
    up.zone.set('burst.example|A', { answers: [{ type: 'A', name: 'burst.example', ttl: 30, data: '192.0.2.3' }] });
    const asked = up.udpQueries;
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => ask('burst.example', 'A', { id: i + 1 })));
    assert.ok(replies.every((r, i) => r.id === i + 1 && dataOf(r.answers?.[0]) === '192.0.2.3'));
    assert.equal(up.udpQueries, asked + 1);
  });

  it('retries over TCP when the upstream truncates', async () => {
    const answers: Answer[] = Array.from({ length: 3 }, (_, i) => ({ type: 'A', name: 'big.example', ttl: 30, data: `192.0.2.${10 + i}` }));
    up.zone.set('big.example|A', { answers, truncateUdp: true });
    const tcpBefore = up.tcpQueries;
    const r = await ask('big.example', 'A');
    assert.equal(r.tc, false);
    assert.equal(r.answers?.length, 3);
    assert.equal(up.tcpQueries, tcpBefore + 1);
  });

  it('truncates a forwarded answer too large for the asker, whole over TCP', async () => {
    const answers: Answer[] = Array.from({ length: 40 }, (_, i) => ({
      type: 'A',
      name: 'wide.example',
      ttl: 30,
      data: `198.51.100.${i + 1}`,
    }));
    up.zone.set('wide.example|A', { answers });
    const udp = await ask('wide.example', 'A');
    assert.ok(udp.tc);
    assert.ok(udp.size <= 512);
    const [raw] = await tcpExchange(dns.tcpPort, [makeQuery('wide.example', 'A')]);
    const tcp = decodeReply(raw!);
    assert.equal(tcp.answers?.length, 40);
    const edns = await ask('wide.example', 'A', { edns: 1232 });
    assert.equal(edns.tc, false);
    assert.equal(edns.answers?.length, 40);
    assert.ok(edns.additionals?.some((a) => a.type === 'OPT'));
  });

  it('answers SERVFAIL when the upstream does not answer, and does not cache it', async () => {
    up.silent = true;
    const r = await ask('silent.example', 'A');
    assert.equal(r.rcode, 'SERVFAIL');
    up.silent = false;
    up.zone.set('silent.example|A', { answers: [{ type: 'A', name: 'silent.example', ttl: 30, data: '192.0.2.9' }] });
    assert.deepEqual((await ask('silent.example', 'A')).answers?.map(dataOf), ['192.0.2.9']);
  });

  it('answers SERVFAIL when no upstream is reachable, and when none is configured', async () => {
    // a port nothing listens on: take one and free it
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const dead = await startClusterDns({
      source: createFakeSource(),
      listen: { host: '127.0.0.1', port: 0 },
      upstreams: [`127.0.0.1:${port}`],
      upstreamTimeoutMs: 200,
      log: nullLogger,
    });
    const none = await startClusterDns({
      source: createFakeSource(),
      listen: { host: '127.0.0.1', port: 0 },
      upstreams: [],
      log: nullLogger,
    });
    try {
      assert.equal((await ask('x.example', 'A', {}, dead)).rcode, 'SERVFAIL');
      assert.equal(dead.stats().upstreamFailures, 1);
      assert.equal((await ask('x.example', 'A', {}, none)).rcode, 'SERVFAIL');
      assert.equal(none.stats().answered['SERVFAIL'], 1);
    } finally {
      await dead.stop();
      await none.stop();
    }
  });

  it('falls over to the next upstream when the first is silent', async () => {
    const other = await startFakeUpstream();
    other.zone.set('second.example|A', { answers: [{ type: 'A', name: 'second.example', ttl: 30, data: '192.0.2.77' }] });
    up.silent = true;
    const s = await startClusterDns({
      source: createFakeSource(),
      listen: { host: '127.0.0.1', port: 0 },
      upstreams: [`127.0.0.1:${up.port}`, `127.0.0.1:${other.port}`],
      upstreamTimeoutMs: 200,
      log: nullLogger,
    });
    try {
      assert.deepEqual((await ask('second.example', 'A', {}, s)).answers?.map(dataOf), ['192.0.2.77']);
    } finally {
      await s.stop();
      await other.close();
    }
  });
});
