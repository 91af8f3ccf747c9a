// The programmer for real, in namespaces only (testing/cluster-netns.ts): nodes a and b on one LAN
// reach each other's pods by host-gw routes, node c behind a router (which knows no pod range) by
// VXLAN; servers see the client pod's own address (no NAT) while pod traffic leaving the cluster
// range is masqueraded; a second apply changes nothing; a node dropped from the plan loses its
// routes and with them connectivity; stray routes of ours are removed at start; cleanup leaves
// nothing behind.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nullLogger } from '../../base/log.js';
import { run } from '../host-exec.js';
import { planPodNetwork, type PodNetPlan } from './plan.js';
import { createPodNetProgrammer, ROUTE_PROTO, type ApplyResult, type PodNetProgrammer } from './programmer.js';
import {
  createTestCluster,
  netnsUnavailable,
  ROUTER_LAN1,
  vxlanUnavailable,
  type TestCluster,
  type TestNode,
} from './testing/cluster-netns.js';

const skip = await netnsUnavailable();
const PORT = 7070;
const CLUSTER = '10.42.0.0/16';
const unchanged: ApplyResult = {
  routesSet: 0,
  routesRemoved: 0,
  fdbSet: 0,
  fdbRemoved: 0,
  neighSet: 0,
  neighRemoved: 0,
  deviceCreated: false,
  masqueradeLoaded: false,
};

describe('pod network programmer in network namespaces', { skip }, () => {
  let net: TestCluster;
  let vxlanSkip: string | undefined;
  const programmers = new Map<string, PodNetProgrammer>();
  const sh = async (n: TestNode, ...argv: string[]) => (await run(n.prefix, argv)).stdout;
  const ours = async (n: TestNode) =>
    (await sh(n, 'ip', '-4', 'route', 'show', 'proto', String(ROUTE_PROTO)))
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .sort();

  async function planFor(n: TestNode, without: string[] = []): Promise<PodNetPlan> {
    const p = programmers.get(n.name)!;
    return planPodNetwork({
      self: { name: n.name, ip: n.ip, podCidr: n.podCidr },
      nodes: net.nodeObjects().filter((o) => !without.includes(o.metadata!.name!)),
      hostAddresses: await p.hostAddresses(),
      clusterCidr: CLUSTER,
    });
  }
  async function applyAll(nodes: TestNode[]): Promise<ApplyResult[]> {
    const out: ApplyResult[] = [];
    for (const n of nodes) out.push(await programmers.get(n.name)!.apply(await planFor(n)));
    return out;
  }

  before(async () => {
    net = await createTestCluster(String(process.pid));
    vxlanSkip = await vxlanUnavailable(net.nodes.a.prefix);
    for (const n of Object.values(net.nodes)) {
      programmers.set(n.name, createPodNetProgrammer({ commandPrefix: n.prefix, log: nullLogger }));
      await net.serve(n.podNs, n.podIp, PORT);
    }
    await net.serve(net.routerNs, ROUTER_LAN1, PORT);
  });
  after(async () => {
    await net?.destroy();
  });

  it('without routes, pods on other nodes are unreachable', async () => {
    const { a, b } = net.nodes;
    assert.ok((await net.connect(a.podNs, b.podIp, PORT, 800)) instanceof Error);
  });

  it('plans host-gw between a and b, and VXLAN to c', async () => {
    const { a, c } = net.nodes;
    const pa = await planFor(a);
    assert.deepEqual(
      pa.direct.map((d) => `${d.dst} via ${d.via}`),
      ['10.42.1.0/24 via 192.168.1.2'],
    );
    assert.deepEqual(
      pa.vxlan.map((v) => `${v.dst} via ${v.vtep} dst ${v.nodeIP}`),
      ['10.42.2.0/24 via 10.42.2.0 dst 192.168.2.3'],
    );
    assert.equal(pa.self.uplink, 'eth0');
    const pc = await planFor(c);
    assert.deepEqual(pc.direct, []);
    assert.deepEqual(
      pc.vxlan.map((v) => v.node),
      ['a', 'b'],
    );
  });

  it('host-gw: pod a reaches pod b and is seen with its own address', async () => {
    const { a, b } = net.nodes;
    if (vxlanSkip) {
      // without VXLAN only the directly connected pair can be programmed
      for (const n of [a, b]) {
        const plan = await planFor(n, ['c']);
        await programmers.get(n.name)!.apply(plan);
      }
    } else {
      const results = await applyAll(Object.values(net.nodes));
      assert.ok(results.every((r) => r.deviceCreated && r.masqueradeLoaded));
    }
    assert.deepEqual(await ours(a), [
      '10.42.1.0/24 via 192.168.1.2 dev eth0',
      ...(vxlanSkip ? [] : ['10.42.2.0/24 via 10.42.2.0 dev tandem-vxlan onlink']),
    ]);
    assert.equal(await net.connect(a.podNs, b.podIp, PORT), a.podIp);
    assert.equal(await net.connect(b.podNs, a.podIp, PORT), b.podIp);
  });

  it('VXLAN: pods on a and b reach pod c behind the router, without NAT', async (t) => {
    if (vxlanSkip) return t.skip(vxlanSkip);
    const { a, b, c } = net.nodes;
    assert.equal(await net.connect(a.podNs, c.podIp, PORT), a.podIp);
    assert.equal(await net.connect(c.podNs, b.podIp, PORT), c.podIp);
    assert.match(await sh(a, 'bridge', 'fdb', 'show', 'dev', 'tandem-vxlan'), /0a:74:0a:2a:02:00 dst 192\.168\.2\.3 self permanent/);
    assert.match(await sh(a, 'ip', 'neigh', 'show', 'dev', 'tandem-vxlan'), /10\.42\.2\.0 lladdr 0a:74:0a:2a:02:00 PERMANENT/);
    const link = await sh(c, 'ip', '-d', 'link', 'show', 'dev', 'tandem-vxlan');
    assert.match(link, /vxlan id 1 local 192\.168\.2\.3 dev eth0 .*dstport 4789 nolearning/);
    assert.match(link, /mtu 1450/);
  });

  it('pod traffic leaving the cluster range is masqueraded to the node address', async () => {
    const { a } = net.nodes;
    assert.equal(await net.connect(a.podNs, ROUTER_LAN1, PORT), a.ip);
    assert.match(
      await sh(a, 'nft', 'list', 'table', 'ip', 'tandem-podnet'),
      /ip saddr 10\.42\.0\.0\/24 ip daddr != \{ 10\.42\.0\.0\/16, 224\.0\.0\.0\/4 \} masquerade/,
    );
  });

  it('applying the same plan again changes nothing', async () => {
    const nodes = vxlanSkip ? [net.nodes.a, net.nodes.b] : Object.values(net.nodes);
    const without = vxlanSkip ? ['c'] : [];
    for (const n of nodes) {
      const r = await programmers.get(n.name)!.apply(await planFor(n, without));
      assert.deepEqual({ ...r }, unchanged, `node ${n.name}`);
    }
  });

  it('a fresh programmer removes stray routes of ours and leaves other routes alone', async () => {
    const { a } = net.nodes;
    await sh(a, 'ip', 'route', 'add', '10.99.0.0/24', 'via', '192.168.1.2', 'proto', String(ROUTE_PROTO));
    await sh(a, 'ip', 'route', 'add', '10.98.0.0/24', 'via', '192.168.1.2');
    const fresh = createPodNetProgrammer({ commandPrefix: a.prefix, log: nullLogger });
    programmers.set('a', fresh);
    const r = await fresh.apply(await planFor(a, vxlanSkip ? ['c'] : []));
    assert.equal(r.routesRemoved, 1);
    assert.equal(r.routesSet, 0);
    assert.equal(r.masqueradeLoaded, true, 'a new programmer reloads its table once');
    assert.ok(!(await ours(a)).some((l) => l.startsWith('10.99.0.0')));
    assert.match(await sh(a, 'ip', 'route', 'show', '10.98.0.0/24'), /via 192\.168\.1\.2/);
  });

  it('a node dropped from the plan loses its routes, tunnel entries and connectivity', async () => {
    const { a, b } = net.nodes;
    const without = vxlanSkip ? ['b', 'c'] : ['b'];
    const r = await programmers.get('a')!.apply(await planFor(a, without));
    assert.equal(r.routesRemoved, 1);
    assert.ok(!(await ours(a)).some((l) => l.startsWith('10.42.1.0/24')));
    assert.ok((await net.connect(a.podNs, b.podIp, PORT, 800)) instanceof Error, 'pod b must be unreachable from pod a');
    if (!vxlanSkip) {
      assert.equal(await net.connect(a.podNs, net.nodes.c.podIp, PORT), a.podIp, 'c stays reachable');
      // b comes back and c goes: c's FDB and neighbour entries leave with its route
      const r2 = await programmers.get('a')!.apply(await planFor(a, ['c']));
      assert.deepEqual([r2.routesSet, r2.routesRemoved, r2.fdbRemoved, r2.neighRemoved], [1, 1, 1, 1]);
      assert.equal((await sh(a, 'bridge', 'fdb', 'show', 'dev', 'tandem-vxlan')).trim(), '');
      assert.equal((await sh(a, 'ip', 'neigh', 'show', 'dev', 'tandem-vxlan')).trim(), '');
      assert.equal(await net.connect(a.podNs, b.podIp, PORT), a.podIp);
      assert.ok((await net.connect(a.podNs, net.nodes.c.podIp, PORT, 800)) instanceof Error, 'pod c must be unreachable from pod a');
    }
    // no peers at all: no routes, and no tunnel device
    await programmers.get('a')!.apply(await planFor(a, ['b', 'c']));
    assert.deepEqual(await ours(a), []);
    assert.notEqual((await run(a.prefix, ['ip', 'link', 'show', 'dev', 'tandem-vxlan'])).code, 0);
  });

  it('cleanup removes routes, the device and the table', async () => {
    for (const n of Object.values(net.nodes)) {
      await programmers.get(n.name)!.cleanup();
      assert.deepEqual(await ours(n), [], `node ${n.name}`);
      assert.notEqual((await run(n.prefix, ['ip', 'link', 'show', 'dev', 'tandem-vxlan'])).code, 0);
      assert.notEqual((await run(n.prefix, ['nft', 'list', 'table', 'ip', 'tandem-podnet'])).code, 0);
      await programmers.get(n.name)!.cleanup(); // twice is fine
    }
    assert.match(await sh(net.nodes.a, 'ip', 'route', 'show', '10.98.0.0/24'), /via 192\.168\.1\.2/, 'not ours: kept');
  });
});
