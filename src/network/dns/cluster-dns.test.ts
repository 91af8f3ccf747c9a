// The cluster zone through real sockets: every record type, NXDOMAIN against NODATA with the SOA,
// TTLs, pod modes, reverse names, truncation and the TCP retry, several queries on one connection.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Answer, RecordType } from 'dns-packet';
import { nullLogger } from '../../base/log.js';
import { startClusterDns, type ClusterDns } from './index.js';
import { createFakeSource, endpointSlice, pod, service, type FakeSource } from './testing/fake-source.js';
import { decodeReply, makeQuery, tcpExchange, udpExchange, type QueryOptions, type Reply } from './testing/dns-client.js';
import { startFakeUpstream, type FakeUpstream } from './testing/fake-upstream.js';

const Z = 'cluster.local';
const many = Array.from({ length: 60 }, (_, i) => ({ ip: `10.244.9.${i + 1}` }));

function fixtures(): FakeSource {
  return createFakeSource([
    service('default', 'web', {
      clusterIP: '10.96.0.10',
      ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }, { port: 9000 }],
    }),
    service('default', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
    endpointSlice(
      'default',
      'db',
      [{ ip: '10.244.1.5', hostname: 'db-0' }, { ip: '10.244.1.6' }, { ip: '10.244.1.7', ready: false }],
      [{ name: 'pg', port: 5432 }],
    ),
    service('default', 'empty', { clusterIP: 'None', ports: [{ name: 'x', port: 1 }] }),
    service('default', 'ext', { type: 'ExternalName', externalName: 'www.example.org' }),
    service('default', 'ext-in', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }),
    service('kube-system', 'v6', { clusterIPs: ['fd00::10'], clusterIP: 'fd00::10', ports: [{ name: 'http', port: 80 }] }),
    service('default', 'many', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }),
    endpointSlice('default', 'many', many, [{ name: 'http', port: 80 }]),
    pod('default', 'db-0', '10.244.1.5'),
  ]);
}

let dns: ClusterDns;
let src: FakeSource;
let up: FakeUpstream;

async function ask(name: string, type: RecordType, o: QueryOptions = {}, server = dns): Promise<Reply> {
  const raw = await udpExchange(server.udpPort, makeQuery(name, type, o));
  assert.ok(raw, `no reply for ${name} ${type}`);
  return decodeReply(raw);
}
const dataOf = (a: Answer | undefined): unknown => (a && 'data' in a ? a.data : undefined);
const ttlOf = (a: Answer | undefined): number | undefined => (a && 'ttl' in a ? a.ttl : undefined);
const datas = (r: Reply) => (r.answers ?? []).map(dataOf);

function assertSoa(r: Reply) {
  assert.equal(r.answers?.length, 0);
  const soa = r.authorities?.[0];
  assert.ok(soa && soa.type === 'SOA', 'SOA in authority');
  assert.equal(soa.name, Z);
  assert.equal(ttlOf(soa), 5);
  assert.deepEqual(soa.data, {
    mname: `ns.dns.${Z}`,
    rname: `hostmaster.${Z}`,
    serial: src.modified(),
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum: 5,
  });
}

before(async () => {
  src = fixtures();
  up = await startFakeUpstream();
  up.zone.set('www.example.org|A', { answers: [{ type: 'A', name: 'www.example.org', ttl: 300, data: '93.184.216.34' }] });
  dns = await startClusterDns({
    source: src,
    listen: { host: '127.0.0.1', port: 0 },
    upstreams: [`127.0.0.1:${up.port}`],
    log: nullLogger,
  });
});
after(async () => {
  await dns.stop();
  await up.close();
});

describe('services with a cluster IP', () => {
  it('answers A with the cluster IP, authoritative, TTL 5', async () => {
    const r = await ask(`web.default.svc.${Z}`, 'A');
    assert.equal(r.rcode, 'NOERROR');
    assert.ok(r.aa);
    assert.equal(r.id, 4242);
    assert.deepEqual(datas(r), ['10.96.0.10']);
    assert.equal(ttlOf(r.answers?.[0]), 5);
  });

  it('answers AAAA of an IPv4-only service with NODATA and the SOA', async () => {
    const r = await ask(`web.default.svc.${Z}`, 'AAAA');
    assert.equal(r.rcode, 'NOERROR');
    assertSoa(r);
  });

  it('answers AAAA for an IPv6 cluster IP', async () => {
    const r = await ask(`v6.kube-system.svc.${Z}`, 'AAAA');
    assert.deepEqual(datas(r), ['fd00::10']);
  });

  it('keeps the asker case in the question and the owner names', async () => {
    const r = await ask(`WEB.Default.SVC.Cluster.LOCAL`, 'A');
    assert.equal(r.questions?.[0]?.name, 'WEB.Default.SVC.Cluster.LOCAL');
    assert.equal(r.answers?.[0]?.name, 'WEB.Default.SVC.Cluster.LOCAL');
    assert.deepEqual(datas(r), ['10.96.0.10']);
  });

  it('answers SRV for a named port, with the service address in additional', async () => {
    const r = await ask(`_http._tcp.web.default.svc.${Z}`, 'SRV');
    assert.deepEqual(datas(r), [{ priority: 0, weight: 100, port: 80, target: `web.default.svc.${Z}` }]);
    assert.deepEqual(
      r.additionals?.map((a) => [a.name, 'data' in a ? a.data : undefined]),
      [[`web.default.svc.${Z}`, '10.96.0.10']],
    );
    const udp = await ask(`_dns._udp.web.default.svc.${Z}`, 'SRV');
    assert.equal((dataOf(udp.answers?.[0]) as { port: number }).port, 53);
  });

  it('denies a port name or protocol the service lacks (NXDOMAIN, as CoreDNS)', async () => {
    assert.equal((await ask(`_http._udp.web.default.svc.${Z}`, 'SRV')).rcode, 'NXDOMAIN');
    assert.equal((await ask(`_nope._tcp.web.default.svc.${Z}`, 'SRV')).rcode, 'NXDOMAIN');
  });
});

describe('headless services', () => {
  it('answers A with the ready endpoint addresses only', async () => {
    const r = await ask(`db.default.svc.${Z}`, 'A');
    assert.deepEqual(datas(r)?.sort(), ['10.244.1.5', '10.244.1.6']);
  });

  it('answers an endpoint by hostname and by dashed IP; a not-ready one does not exist', async () => {
    assert.deepEqual(datas(await ask(`db-0.db.default.svc.${Z}`, 'A')), ['10.244.1.5']);
    assert.deepEqual(datas(await ask(`10-244-1-6.db.default.svc.${Z}`, 'A')), ['10.244.1.6']);
    assert.equal((await ask(`10-244-1-7.db.default.svc.${Z}`, 'A')).rcode, 'NXDOMAIN');
  });

  it('answers SRV per ready endpoint, targets the endpoint names, weights shared', async () => {
    const r = await ask(`_pg._tcp.db.default.svc.${Z}`, 'SRV');
    const srv = datas(r) as Array<{ target: string; port: number; weight: number }>;
    assert.deepEqual(srv.map((s) => s.target).sort(), [`10-244-1-6.db.default.svc.${Z}`, `db-0.db.default.svc.${Z}`]);
    assert.ok(srv.every((s) => s.port === 5432 && s.weight === 50));
    assert.deepEqual(r.additionals?.map((a) => a.name).sort(), [`10-244-1-6.db.default.svc.${Z}`, `db-0.db.default.svc.${Z}`]);
  });

  it('answers NXDOMAIN when no endpoint is ready (the specification)', async () => {
    const r = await ask(`empty.default.svc.${Z}`, 'A');
    assert.equal(r.rcode, 'NXDOMAIN');
    assertSoa(r);
  });
});

describe('ExternalName services', () => {
  it('answers a CNAME and chases an outside target through the upstream', async () => {
    const r = await ask(`ext.default.svc.${Z}`, 'A');
    assert.deepEqual(
      r.answers?.map((a) => [a.type, 'data' in a ? a.data : undefined]),
      [
        ['CNAME', 'www.example.org'],
        ['A', '93.184.216.34'],
      ],
    );
  });

  it('follows a target inside the zone itself', async () => {
    const r = await ask(`ext-in.default.svc.${Z}`, 'A');
    assert.deepEqual(
      r.answers?.map((a) => [a.type, a.name, 'data' in a ? a.data : undefined]),
      [
        ['CNAME', `ext-in.default.svc.${Z}`, `web.default.svc.${Z}`],
        ['A', `web.default.svc.${Z}`, '10.96.0.10'],
      ],
    );
  });

  it('answers a CNAME question with the CNAME alone', async () => {
    const r = await ask(`ext.default.svc.${Z}`, 'CNAME');
    assert.deepEqual(datas(r), ['www.example.org']);
  });
});

describe('reverse names', () => {
  it('points a cluster IP at its service', async () => {
    const r = await ask('10.0.96.10.in-addr.arpa', 'PTR');
    assert.deepEqual(datas(r), [`web.default.svc.${Z}`]);
    assert.equal(ttlOf(r.answers?.[0]), 5);
  });

  it('points a headless endpoint at its hostname, else its dashed IP', async () => {
    assert.deepEqual(datas(await ask('5.1.244.10.in-addr.arpa', 'PTR')), [`db-0.db.default.svc.${Z}`]);
    assert.deepEqual(datas(await ask('6.1.244.10.in-addr.arpa', 'PTR')), [`10-244-1-6.db.default.svc.${Z}`]);
  });

  it('answers ip6.arpa names of IPv6 cluster IPs', async () => {
    const name = `${'0.1.0.0.'}${'0.0.0.0.'.repeat(6)}0.0.d.f.ip6.arpa`;
    assert.deepEqual(datas(await ask(name, 'PTR')), [`v6.kube-system.svc.${Z}`]);
  });

  it('sends other reverse names on to the upstream', async () => {
    const before = up.udpQueries;
    const r = await ask('9.9.9.9.in-addr.arpa', 'PTR');
    assert.equal(r.rcode, 'NXDOMAIN');
    assert.equal(r.aa, false);
    assert.equal(up.udpQueries, before + 1);
  });
});

describe('pods', () => {
  it('answers any well-formed dashed address in insecure mode (the default)', async () => {
    assert.deepEqual(datas(await ask(`10-1-2-3.anywhere.pod.${Z}`, 'A')), ['10.1.2.3']);
    assert.deepEqual(datas(await ask(`fd00--5.default.pod.${Z}`, 'AAAA')), ['fd00::5']);
    assert.equal((await ask(`10-1-2.default.pod.${Z}`, 'A')).rcode, 'NXDOMAIN');
    assert.equal((await ask(`x.10-1-2-3.default.pod.${Z}`, 'A')).rcode, 'NXDOMAIN');
  });

  it('answers only existing pods in verified mode, and nothing when disabled', async () => {
    const verified = await startClusterDns({
      source: src,
      listen: { host: '127.0.0.1', port: 0 },
      upstreams: [],
      pods: 'verified',
      log: nullLogger,
    });
    const disabled = await startClusterDns({
      source: src,
      listen: { host: '127.0.0.1', port: 0 },
      upstreams: [],
      pods: 'disabled',
      log: nullLogger,
    });
    try {
      assert.deepEqual(datas(await ask(`10-244-1-5.default.pod.${Z}`, 'A', {}, verified)), ['10.244.1.5']);
      assert.equal((await ask(`10-244-1-5.other.pod.${Z}`, 'A', {}, verified)).rcode, 'NXDOMAIN');
      assert.equal((await ask(`10-244-1-9.default.pod.${Z}`, 'A', {}, verified)).rcode, 'NXDOMAIN');
      assert.equal((await ask(`10-244-1-5.default.pod.${Z}`, 'A', {}, disabled)).rcode, 'NXDOMAIN');
    } finally {
      await verified.stop();
      await disabled.stop();
    }
  });
});

describe('names that do not exist, and names without data', () => {
  for (const name of [`nosuch.default.svc.${Z}`, `a.b._c._d.web.default.svc.${Z}`, `foo.${Z}`, `web.default.nope.${Z}`]) {
    it(`NXDOMAIN with the SOA for ${name}`, async () => {
      const r = await ask(name, 'A');
      assert.equal(r.rcode, 'NXDOMAIN');
      assert.ok(r.aa);
      assertSoa(r);
    });
  }
  for (const name of [Z, `svc.${Z}`, `pod.${Z}`, `default.svc.${Z}`]) {
    it(`NODATA with the SOA for ${name}`, async () => {
      const r = await ask(name, 'A');
      assert.equal(r.rcode, 'NOERROR');
      assertSoa(r);
    });
  }

  it('tells NODATA from NXDOMAIN for types the zone has no records of', async () => {
    const mx = await ask(`web.default.svc.${Z}`, 'MX');
    assert.equal(mx.rcode, 'NOERROR');
    assertSoa(mx);
    assert.equal((await ask(`nosuch.default.svc.${Z}`, 'MX')).rcode, 'NXDOMAIN');
  });

  it('answers SOA and NS at the apex, the schema version as TXT, and refuses zone transfers', async () => {
    const soa = await ask(Z, 'SOA');
    assert.equal(soa.answers?.[0]?.type, 'SOA');
    assert.deepEqual(datas(await ask(Z, 'NS')), [`ns.dns.${Z}`]);
    const txt = await ask(`dns-version.${Z}`, 'TXT');
    assert.deepEqual(
      txt.answers?.map((a) => [ttlOf(a), String(dataOf(a))]),
      [[28800, '1.1.0']],
    );
    assert.equal((await ask(Z, 'AXFR')).rcode, 'REFUSED');
  });

  it('answers SERVFAIL instead of NXDOMAIN until the caches have synced', async () => {
    src.setSynced(false);
    try {
      assert.equal((await ask(`nosuch.default.svc.${Z}`, 'A')).rcode, 'SERVFAIL');
      assert.deepEqual(datas(await ask(`web.default.svc.${Z}`, 'A')), ['10.96.0.10']);
    } finally {
      src.setSynced(true);
    }
  });

  it('sees changes to the source at once, and the SOA serial moves', async () => {
    const serial = src.modified();
    src.put(service('default', 'late', { clusterIP: '10.96.0.99', ports: [{ port: 1 }] }));
    assert.deepEqual(datas(await ask(`late.default.svc.${Z}`, 'A')), ['10.96.0.99']);
    const r = await ask(`late.default.svc.${Z}`, 'AAAA');
    assert.ok((dataOf(r.authorities?.[0]) as { serial: number }).serial > serial);
  });
});

describe('transports', () => {
  it('truncates a large UDP answer to 512 bytes with TC, and answers it whole over TCP', async () => {
    const udp = await ask(`many.default.svc.${Z}`, 'A');
    assert.ok(udp.tc, 'TC set');
    assert.ok(udp.size <= 512, `${udp.size} bytes`);
    assert.ok((udp.answers?.length ?? 0) > 0 && (udp.answers?.length ?? 0) < 60);
    const [raw] = await tcpExchange(dns.tcpPort, [makeQuery(`many.default.svc.${Z}`, 'A')]);
    const tcp = decodeReply(raw!);
    assert.equal(tcp.tc, false);
    assert.equal(tcp.answers?.length, 60);
  });

  it('uses the EDNS0 size the asker offers, and answers with an OPT', async () => {
    const r = await ask(`many.default.svc.${Z}`, 'A', { edns: 4096 });
    assert.equal(r.tc, false);
    assert.equal(r.answers?.length, 60);
    assert.equal(r.additionals?.find((a) => a.type === 'OPT')?.type, 'OPT');
    const plain = await ask(`web.default.svc.${Z}`, 'A');
    assert.equal(plain.additionals?.length, 0, 'no OPT for a query without one');
  });

  it('answers several queries on one TCP connection', async () => {
    const replies = await tcpExchange(dns.tcpPort, [
      makeQuery(`web.default.svc.${Z}`, 'A', { id: 1 }),
      makeQuery(`nosuch.default.svc.${Z}`, 'A', { id: 2 }),
      makeQuery(`_http._tcp.web.default.svc.${Z}`, 'SRV', { id: 3 }),
    ]);
    const byId = new Map(replies.map((b) => decodeReply(b)).map((r) => [r.id, r]));
    assert.equal(byId.size, 3);
    assert.equal(byId.get(1)?.rcode, 'NOERROR');
    assert.equal(byId.get(2)?.rcode, 'NXDOMAIN');
    assert.equal(byId.get(3)?.answers?.[0]?.type, 'SRV');
  });

  it('counts replies by rcode', () => {
    const s = dns.stats();
    assert.ok((s.answered['NOERROR'] ?? 0) > 10);
    assert.ok((s.answered['NXDOMAIN'] ?? 0) > 3);
    assert.ok(s.truncated >= 1);
    assert.ok(s.cluster > 10);
  });
});
