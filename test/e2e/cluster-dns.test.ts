// Cluster DNS end to end, without a service proxy: `tandem server` runs its DNS server on an
// ephemeral port (--cluster-dns-listen 0.0.0.0:0), kubectl shows it as the kube-dns endpoint in
// upstream's columns, and queries sent over UDP and TCP to that port answer the bootstrap Services
// and a Service created with kubectl.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Answer } from 'dns-packet';
import { decodeReply, makeQuery, tcpExchange, udpExchange } from '../../src/network/dns/testing/dns-client.js';
import { kubectlAvailable, startTandem, type TandemProcess } from './harness.js';
import { rows, SKIP_MESSAGE } from './kubectl-support.js';

let srv: TandemProcess | undefined;
before(async () => {
  if (kubectlAvailable()) srv = await startTandem({ args: ['--cluster-dns-listen', '0.0.0.0:0'] });
});
after(async () => {
  await srv?.stop();
});

const kubectl = (args: string[]) => {
  const r = srv!.kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const aOf = (buf: Buffer | undefined) =>
  buf ? decodeReply(buf).answers?.flatMap((a: Answer) => (a.type === 'A' && 'data' in a ? [a.data] : [])) : undefined;

test('cluster DNS: kube-dns endpoint in kubectl, Service names over UDP and TCP', async (t) => {
  if (!srv) {
    t.skip(SKIP_MESSAGE);
    return;
  }
  // the published endpoint: NAME ADDRESSTYPE PORTS ENDPOINTS AGE
  const slice = await until('the DNS EndpointSlice', () => {
    const r = rows(kubectl(['get', 'endpointslices', '-n', 'kube-system']));
    return r.find((c) => c[0] === 'kube-dns-cluster-dns') ? r : undefined;
  });
  assert.deepEqual(slice[0], ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
  const row = slice.find((c) => c[0] === 'kube-dns-cluster-dns')!;
  assert.equal(row[1], 'IPv4');
  const [portText, other] = (row[2] ?? '').split(',');
  const port = Number(portText);
  assert.ok(port > 0 && other === portText, `PORTS ${row[2]}`);
  const ip = row[3] ?? '';
  assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
  assert.ok(!ip.startsWith('127.'), 'never a loopback endpoint');

  // NAME ENDPOINTS AGE
  const eps = await until('kube-dns Endpoints', () => {
    const r = rows(kubectl(['get', 'endpoints', 'kube-dns', '-n', 'kube-system']));
    return r[1]?.[1] === `${ip}:${port},${ip}:${port}` ? r : undefined;
  });
  assert.deepEqual(eps[0], ['NAME', 'ENDPOINTS', 'AGE']);

  // NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE
  const svc = rows(kubectl(['get', 'svc', '-n', 'kube-system']));
  assert.deepEqual(svc[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
  assert.deepEqual(svc[1]?.slice(0, 5), ['kube-dns', 'ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP,9153/TCP']);

  const described = kubectl(['describe', 'svc', 'kube-dns', '-n', 'kube-system']);
  assert.match(described, /^Selector:\s+<none>$/m);
  assert.match(described, /^IP:\s+10\.96\.0\.10$/m);
  assert.match(
    described,
    new RegExp(`^Port:\\s+dns\\s+53/UDP\\nTargetPort:\\s+${port}/UDP\\nEndpoints:\\s+${ip.replace(/\./g, '\\.')}:${port}$`, 'm'),
  );

  // the answers, over both transports, at the published address
  assert.deepEqual(aOf(await udpExchange(port, makeQuery('kubernetes.default.svc.cluster.local', 'A'), 2000, ip)), ['10.96.0.1']);
  const [tcp] = await tcpExchange(port, [makeQuery('kube-dns.kube-system.svc.cluster.local', 'A')]);
  assert.deepEqual(aOf(tcp), ['10.96.0.10']);

  kubectl(['create', 'service', 'clusterip', 'web', '--tcp=80:8080']);
  const clusterIP = kubectl(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']).trim();
  assert.match(clusterIP, /^10\.96\.\d+\.\d+$/);
  const got = await until('web in DNS', async () => {
    const a = aOf(await udpExchange(port, makeQuery('web.default.svc.cluster.local', 'A')));
    return a && a.length > 0 ? a : undefined;
  });
  assert.deepEqual(got, [clusterIP]);
  const [tcpWeb] = await tcpExchange(port, [makeQuery('web.default.svc.cluster.local', 'A')]);
  assert.deepEqual(aOf(tcpWeb), [clusterIP]);
});
