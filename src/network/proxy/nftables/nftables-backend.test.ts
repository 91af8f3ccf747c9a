// The kernel backend for real: the table is programmed with nft inside a throwaway network
// namespace (testing/netns.ts) and traffic from that namespace must reach echo-server "pods"
// through cluster IPs and node ports, spread, stick, stop and be refused as Services say.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nullLogger } from '../../../base/log.js';
import type { ProxyEndpoint, ProxyServicePort } from '../model.js';
import { createTestNetwork, netnsUnavailable, NODE_IP, type TestNetwork } from '../testing/netns.js';
import { run } from '../../host-exec.js';
import { createNftablesBackend, nftablesUnavailable, type NftablesBackend } from './nftables-backend.js';

const skip = await netnsUnavailable();
const TABLE = `tpx-test-${process.pid}`;
const A = '10.244.0.5';
const B = '10.244.0.6';
const CIP = '10.96.0.10';
const NODE_PORT = 30080;

const ep = (ip: string): ProxyEndpoint => ({ ip, port: 8080, local: true });
function port(protocol: 'TCP' | 'UDP', eps: string[], more: Partial<ProxyServicePort> = {}): ProxyServicePort {
  const endpoints = eps.map(ep);
  return {
    id: `default/web:${protocol.toLowerCase()}`,
    namespace: 'default',
    name: 'web',
    portName: protocol.toLowerCase(),
    protocol,
    clusterIPs: [CIP],
    port: 80,
    nodePort: NODE_PORT,
    clusterEndpoints: endpoints,
    nodePortEndpoints: endpoints,
    ...more,
  };
}
const count = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ({ ...m, [x]: (m[x] ?? 0) + 1 }), {});

describe('nftables backend in a network namespace', { skip }, () => {
  let net: TestNetwork;
  let backend: NftablesBackend;
  const tcp = async (host: string, n: number, p = 80) =>
    (await net.probe<{ answers: string[] }>({ mode: 'tcp', host, port: p, count: n, timeoutMs: 1500 })).answers;
  const udp = async (host: string, n: number, sourcePort?: number) =>
    (
      await net.probe<{ answers: string[] }>({
        mode: 'udp',
        host,
        port: 80,
        count: n,
        timeoutMs: 1500,
        ...(sourcePort ? { sourcePort } : {}),
      })
    ).answers;

  before(async () => {
    net = await createTestNetwork(String(process.pid));
    await net.startEcho([A, B], 8080);
    // off, as on a host without br_netfilter loaded: the first apply turns it on (per namespace since Linux 5.3)
    await run(net.nodePrefix, ['sysctl', '-w', 'net.bridge.bridge-nf-call-iptables=0']);
    backend = createNftablesBackend({ table: TABLE, nodeIPs: [NODE_IP], log: nullLogger, commandPrefix: net.nodePrefix });
  });
  after(async () => {
    await net?.destroy();
  });

  it('reports the backend usable in the namespace', async () => {
    assert.equal(await nftablesUnavailable(net.nodePrefix), undefined);
  });

  it('a cluster IP reaches the endpoint over TCP and UDP', async () => {
    await backend.apply([port('TCP', [A]), port('UDP', [A])]);
    assert.deepEqual(await tcp(CIP, 3), [A, A, A]);
    assert.deepEqual(await udp(CIP, 3), [A, A, A]);
  });

  it('node ports answer on the node IP and on 127.0.0.1', async () => {
    assert.deepEqual(await tcp(NODE_IP, 2, NODE_PORT), [A, A]);
    assert.deepEqual(await tcp('127.0.0.1', 2, NODE_PORT), [A, A]);
    const r = await run(net.nodePrefix, ['sysctl', '-n', 'net.ipv4.conf.all.route_localnet']);
    assert.equal(r.stdout.trim(), '1');
    const bridge = await run(net.nodePrefix, ['sysctl', '-n', 'net.bridge.bridge-nf-call-iptables']);
    assert.equal(bridge.stdout.trim(), '1', 'bridged pod traffic passes the ip hooks');
  });

  it('spreads connections over two endpoints', async () => {
    await backend.apply([port('TCP', [A, B]), port('UDP', [A, B])]);
    const c = count(await tcp(CIP, 40));
    assert.deepEqual(Object.keys(c).sort(), [A, B]);
    assert.ok(c[A]! >= 5 && c[B]! >= 5, `uneven spread ${JSON.stringify(c)}`);
    const u = count(await udp(CIP, 40));
    assert.deepEqual(Object.keys(u).sort(), [A, B]);
  });

  it('session affinity keeps one client on one endpoint', async () => {
    await backend.apply([port('TCP', [A, B], { affinityTimeoutSeconds: 60 }), port('UDP', [A, B])]);
    const c = count(await tcp(CIP, 20));
    assert.equal(Object.keys(c).length, 1, JSON.stringify(c));
    // unchanged input: no nft call; changed endpoints keep the affinity set of the surviving endpoint
    const before = backend.lastTransaction();
    await backend.apply([port('TCP', [A, B], { affinityTimeoutSeconds: 60 }), port('UDP', [A, B])]);
    assert.equal(backend.lastTransaction(), before);
    assert.deepEqual(count(await tcp(CIP, 10)), { [Object.keys(c)[0]!]: 10 });
  });

  it('removing an endpoint stops traffic to it, UDP flows included (conntrack)', async () => {
    await backend.apply([port('TCP', [A, B]), port('UDP', [A, B])]);
    const [first] = await udp(CIP, 1, 40404);
    assert.ok(first === A || first === B, String(first));
    const gone = first!;
    const stays = gone === A ? B : A;
    await backend.apply([port('TCP', [stays]), port('UDP', [stays])]);
    assert.deepEqual(await tcp(CIP, 10), Array<string>(10).fill(stays));
    // same client address and port as before: only a deleted conntrack entry lets it move
    assert.deepEqual(await udp(CIP, 3, 40404), [stays, stays, stays]);
  });

  it('a service port without endpoints refuses connections at once', async () => {
    await backend.apply([port('TCP', []), port('UDP', [])]);
    const t0 = Date.now();
    assert.deepEqual(await tcp(CIP, 2), ['ECONNREFUSED', 'ECONNREFUSED']);
    assert.deepEqual(await tcp(NODE_IP, 1, NODE_PORT), ['ECONNREFUSED']);
    assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
    // and comes back when an endpoint does (the port's first endpoint clears the rejected UDP flows)
    await backend.apply([port('TCP', [B]), port('UDP', [B])]);
    assert.deepEqual(await tcp(CIP, 2), [B, B]);
    assert.deepEqual(await udp(CIP, 2), [B, B]);
  });

  it('a fresh backend replaces the table of an earlier one (restart)', async () => {
    const again = createNftablesBackend({ table: TABLE, nodeIPs: [NODE_IP], log: nullLogger, commandPrefix: net.nodePrefix });
    await again.apply([port('TCP', [A])]);
    assert.deepEqual(await tcp(CIP, 3), [A, A, A]);
    const listed = await run(net.nodePrefix, ['nft', 'list', 'table', 'ip', TABLE]);
    assert.doesNotMatch(listed.stdout, /udp/, 'the UDP port of the earlier table is gone');
    backend = again;
  });

  it('cleanup deletes the table', async () => {
    await backend.cleanup();
    const listed = await run(net.nodePrefix, ['nft', 'list', 'table', 'ip', TABLE]);
    assert.notEqual(listed.code, 0);
    assert.notEqual((await tcp(CIP, 1))[0], A);
  });
});
