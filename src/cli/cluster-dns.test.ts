// The control plane's cluster DNS through a real `tandem server` (in process, memory store, all
// controllers): kube-dns gets the server as its endpoint (Service made selectorless, targetPorts set
// to the listening port, v1 Endpoints and an EndpointSlice the endpoints controller leaves alone),
// queries over UDP and TCP answer Service names, and stopping marks the endpoint not ready.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, type NetworkInterfaceInfo } from 'node:os';
import { join } from 'node:path';
import type { Answer } from 'dns-packet';
import { endpointsKind } from '../api/kinds/core/endpoints.js';
import { serviceKind } from '../api/kinds/core/service.js';
import { endpointSliceKind } from '../api/kinds/discovery/endpoint-slice.js';
import { nullLogger } from '../base/log.js';
import { decodeReply, makeQuery, tcpExchange, udpExchange } from '../network/dns/testing/dns-client.js';
import { endpointAddress, startControlPlaneDns } from './cluster-dns.js';
import { runServer } from './server-command.js';

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const aOf = (buf: Buffer | undefined) =>
  buf ? decodeReply(buf).answers?.flatMap((a: Answer) => (a.type === 'A' && 'data' in a ? [a.data] : [])) : undefined;

test('the published address: the listen host, else a non-loopback API host, else the first external IPv4', () => {
  const ifs = {
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
    eth0: [
      { address: 'fe80::1', family: 'IPv6', internal: false },
      { address: '192.0.2.7', family: 'IPv4', internal: false },
    ],
  } as unknown as NodeJS.Dict<NetworkInterfaceInfo[]>;
  assert.equal(endpointAddress('198.51.100.4', '127.0.0.1', ifs), '198.51.100.4');
  assert.equal(endpointAddress('127.0.0.1', '127.0.0.1', ifs), undefined);
  assert.equal(endpointAddress('0.0.0.0', '198.51.100.9', ifs), '198.51.100.9');
  assert.equal(endpointAddress('0.0.0.0', '127.0.0.1', ifs), '192.0.2.7');
  assert.equal(endpointAddress('0.0.0.0', '0.0.0.0', { lo: ifs['lo'] }), undefined);
});

test('kube-dns: the control plane DNS as its endpoint, answering Service names; not ready once stopped', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-dns-'));
  const srv = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger });
  t.after(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  // a listen address given on the command line that cannot be bound is an error, not a warning
  await assert.rejects(
    startControlPlaneDns({ client: srv.client, listen: '198.51.100.1:0', apiHost: '127.0.0.1', log: nullLogger }),
    /cluster DNS cannot listen on 198\.51\.100\.1:0/,
  );
  await assert.rejects(
    startControlPlaneDns({ client: srv.client, listen: 'nope', apiHost: '127.0.0.1', log: nullLogger }),
    /--cluster-dns-listen must be HOST:PORT or none \(got "nope"\)/,
  );
  const dns = await startControlPlaneDns({ client: srv.client, listen: '0.0.0.0:0', apiHost: '127.0.0.1', log: nullLogger });
  assert.ok(dns?.endpoint, 'an endpoint is published');
  const { ip, port } = dns.endpoint;

  const svc = srv.client.resource(serviceKind).namespace('kube-system');
  const eps = srv.client.resource(endpointsKind).namespace('kube-system');
  const slices = srv.client.resource(endpointSliceKind).namespace('kube-system');
  const slice = await until('the DNS slice', () => slices.getOrUndefined('kube-dns-cluster-dns'));
  assert.deepEqual(slice.endpoints, [{ addresses: [ip], conditions: { ready: true, serving: true, terminating: false } }]);
  assert.deepEqual(
    slice.ports?.map((p) => `${p.name}:${p.port}/${p.protocol}`),
    [`dns:${port}/UDP`, `dns-tcp:${port}/TCP`],
  );
  assert.equal(slice.metadata.labels?.['kubernetes.io/service-name'], 'kube-dns');
  const kubeDns = await svc.get('kube-dns');
  assert.equal(kubeDns.spec?.selector, undefined);
  assert.deepEqual(
    kubeDns.spec?.ports?.map((p) => `${p.name}:${p.port}->${String(p.targetPort)}`),
    [`dns:53->${port}`, `dns-tcp:53->${port}`, 'metrics:9153->9153'],
  );
  assert.equal(slice.metadata.ownerReferences?.[0]?.uid, kubeDns.metadata.uid);

  // the endpoints controller runs: after it has seen the selectorless Service our Endpoints stand
  await new Promise((r) => setTimeout(r, 1500));
  const e = await until('ready Endpoints', async () => {
    const cur = await eps.getOrUndefined('kube-dns');
    return cur?.subsets?.[0]?.addresses?.[0]?.ip === ip ? cur : undefined;
  });
  assert.deepEqual(
    e.subsets?.[0]?.ports?.map((p) => `${p.name}:${p.port}/${p.protocol}`),
    [`dns:${port}/UDP`, `dns-tcp:${port}/TCP`],
  );
  const all = await slices.list();
  assert.deepEqual(
    all.items.filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'kube-dns').map((s) => s.metadata.name),
    ['kube-dns-cluster-dns'],
    'no controller slice beside ours',
  );

  await dns.dns.ready();
  const udp = await udpExchange(port, makeQuery('kube-dns.kube-system.svc.cluster.local', 'A'));
  assert.deepEqual(aOf(udp), ['10.96.0.10']);
  const [tcp] = await tcpExchange(port, [makeQuery('kubernetes.default.svc.cluster.local', 'A')]);
  assert.deepEqual(aOf(tcp), ['10.96.0.1']);

  await dns.stop();
  const stopped = await slices.get('kube-dns-cluster-dns');
  assert.equal(stopped.endpoints?.[0]?.conditions?.ready, false);
  const se = await eps.get('kube-dns');
  assert.deepEqual(se.subsets?.[0]?.notReadyAddresses, [{ ip }]);
  assert.equal(se.subsets?.[0]?.addresses, undefined);
});
