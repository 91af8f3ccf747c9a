// The planner as a table: which peers are routed straight to their node IP, which through the
// tunnel, which are left out and why, and the derived tunnel addresses and MACs.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planPodNetwork, vtepMac, type HostAddress, type PlanInput } from './plan.js';
import { mkNode } from './testing/objects.js';

const lan: HostAddress[] = [
  { address: '192.168.1.1', prefix: 24, dev: 'eth0' },
  { address: '10.42.0.1', prefix: 24, dev: 'cni0' },
];
const self = { name: 'a', ip: '192.168.1.1', podCidr: '10.42.0.0/24' };
const summary = (i: Partial<PlanInput>) => {
  const p = planPodNetwork({ self, nodes: [], hostAddresses: lan, ...i });
  return {
    direct: p.direct.map((d) => `${d.node} ${d.dst} via ${d.via}`),
    vxlan: p.vxlan.map((v) => `${v.node} ${v.dst} via ${v.vtep} mac ${v.mac} dst ${v.nodeIP}`),
    skipped: p.skipped.map((s) => `${s.node}: ${s.reason}`),
  };
};

describe('planPodNetwork', () => {
  const cases: Array<{ name: string; input: Partial<PlanInput>; want: ReturnType<typeof summary> }> = [
    {
      name: 'alone: nothing to route',
      input: { nodes: [mkNode('a', '192.168.1.1', '10.42.0.0/24')] },
      want: { direct: [], vxlan: [], skipped: [] },
    },
    {
      name: 'a peer on the same subnet is host-gw',
      input: { nodes: [mkNode('a', '192.168.1.1', '10.42.0.0/24'), mkNode('b', '192.168.1.2', '10.42.1.0/24')] },
      want: { direct: ['b 10.42.1.0/24 via 192.168.1.2'], vxlan: [], skipped: [] },
    },
    {
      name: 'a peer behind a router goes through the tunnel',
      input: { nodes: [mkNode('c', '192.168.2.3', '10.42.2.0/24')] },
      want: { direct: [], vxlan: ['c 10.42.2.0/24 via 10.42.2.0 mac 0a:74:0a:2a:02:00 dst 192.168.2.3'], skipped: [] },
    },
    {
      name: 'mixed, sorted by name; spec.podCIDRs wins over spec.podCIDR; IPv6 ranges and addresses ignored',
      input: {
        nodes: [
          mkNode('z', '192.168.1.9', undefined, { podCIDRs: ['fd00::/64', '10.42.9.0/24'], podCIDR: 'fd00::/64' }),
          mkNode('c', '192.168.2.3', '10.42.2.0/24'),
          mkNode('b', '192.168.1.2', '10.42.1.0/24', { extraAddresses: [{ type: 'InternalIP', address: 'fd00::2' }] }),
        ],
      },
      want: {
        direct: ['b 10.42.1.0/24 via 192.168.1.2', 'z 10.42.9.0/24 via 192.168.1.9'],
        vxlan: ['c 10.42.2.0/24 via 10.42.2.0 mac 0a:74:0a:2a:02:00 dst 192.168.2.3'],
        skipped: [],
      },
    },
    {
      name: 'a wider host subnet makes a farther peer direct; a /32 host address does not',
      input: {
        hostAddresses: [
          { address: '172.16.0.5', prefix: 16, dev: 'eth1' },
          { address: '192.168.3.7', prefix: 32, dev: 'wg0' },
        ],
        self: { name: 'a', ip: '172.16.0.5', podCidr: '10.42.0.0/24' },
        nodes: [mkNode('b', '172.16.200.1', '10.42.1.0/24'), mkNode('c', '192.168.3.8', '10.42.2.0/24')],
      },
      want: {
        direct: ['b 10.42.1.0/24 via 172.16.200.1'],
        vxlan: ['c 10.42.2.0/24 via 10.42.2.0 mac 0a:74:0a:2a:02:00 dst 192.168.3.8'],
        skipped: [],
      },
    },
    {
      name: 'nodes not ready yet, or clashing, are skipped with a reason',
      input: {
        nodes: [
          mkNode('b', undefined, '10.42.1.0/24'),
          mkNode('c', '192.168.1.3', undefined),
          mkNode('d', '192.168.1.4', '10.42.0.128/25'),
          mkNode('e', '192.168.1.5', '10.42.5.0/24'),
          mkNode('f', '192.168.1.6', '10.42.5.0/24'),
          mkNode('g', '192.168.1.1', '10.42.7.0/24'),
          mkNode('h', '192.168.1.8', '10.42.8.0/33'),
        ],
      },
      want: {
        direct: ['e 10.42.5.0/24 via 192.168.1.5'],
        vxlan: [],
        skipped: [
          'b: no IPv4 InternalIP in status.addresses',
          'c: no IPv4 pod CIDR in spec.podCIDRs',
          'd: pod CIDR 10.42.0.128/25 overlaps 10.42.0.0/24 of node a',
          'f: pod CIDR 10.42.5.0/24 overlaps 10.42.5.0/24 of node e',
          "g: its InternalIP 192.168.1.1 is this node's",
          'h: pod CIDR "10.42.8.0/33" is not an IPv4 CIDR',
        ],
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(summary(c.input), c.want));
  }

  it('describes this node: tunnel address, MAC, uplink and masquerade', () => {
    const p = planPodNetwork({ self: { ...self, podCidr: '10.42.0.7/24' }, nodes: [], hostAddresses: lan, clusterCidr: '10.42.0.0/16' });
    assert.deepEqual(p.self, {
      name: 'a',
      ip: '192.168.1.1',
      podCidr: '10.42.0.0/24',
      vtep: '10.42.0.0',
      mac: '0a:74:0a:2a:00:00',
      uplink: 'eth0',
    });
    assert.deepEqual(p.masquerade, { podCidr: '10.42.0.0/24', clusterCidr: '10.42.0.0/16' });
    assert.equal(planPodNetwork({ self, nodes: [], hostAddresses: lan }).masquerade, undefined);
  });

  it('names bad input of this node', () => {
    assert.throws(() => planPodNetwork({ self: { ...self, ip: 'nope' }, nodes: [], hostAddresses: lan }), /node a: InternalIP "nope"/);
    assert.throws(
      () => planPodNetwork({ self: { ...self, podCidr: '10.42.0.0' }, nodes: [], hostAddresses: lan }),
      /node a: pod CIDR "10.42.0.0"/,
    );
    assert.throws(() => planPodNetwork({ self, nodes: [], hostAddresses: lan, clusterCidr: 'x' }), /cluster CIDR "x"/);
  });

  it('derives distinct locally administered MACs', () => {
    assert.equal(vtepMac('10.42.255.0'), '0a:74:0a:2a:ff:00');
    assert.notEqual(vtepMac('10.42.1.0'), vtepMac('10.42.2.0'));
    assert.throws(() => vtepMac('x'), /not an IPv4 address/);
  });
});
