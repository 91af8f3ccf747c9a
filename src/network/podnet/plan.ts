// The pod network's plan for one node, computed without touching the host: which other nodes' pod
// ranges are routed straight to their node IP (host-gw: the peer is on a subnet this host is
// attached to, so the next hop is one L2 hop away) and which go through the VXLAN device (the peer
// is behind a router that knows nothing of pod ranges). The VXLAN side needs no API writes: each
// node's tunnel address is the network address of its pod CIDR (flannel's habit) and its device MAC
// is derived from that address, so every node computes every peer's MAC, FDB and neighbour entry
// from the Node objects alone.

import { LABEL_SIMULATED } from '../../api/well-known.js';
import type { Node } from '../../api/gen/types.js';
import { formatIpv4, formatIpv4Cidr, parseIpv4, parseIpv4Cidr, type Ipv4Cidr } from '../../base/ipv4-cidr.js';

/** The tunnel device. VNI 1 as flannel; UDP 4789 (the IANA VXLAN port, and the one Windows overlay networks use) rather than flannel's Linux default 8472. */
export interface VxlanSettings {
  device: string;
  vni: number;
  port: number;
}

export const DEFAULT_VXLAN: VxlanSettings = { device: 'tandem-vxlan', vni: 1, port: 4789 };

/** An IPv4 address of one of this host's interfaces with its prefix (`ip addr`), e.g. 192.168.1.5/24 on eth0. */
export interface HostAddress {
  address: string;
  prefix: number;
  dev: string;
}

interface PodNetSelf {
  name: string;
  /** this node's InternalIP (the VXLAN source and the address peers route to) */
  ip: string;
  podCidr: string;
}

interface DirectRoute {
  node: string;
  /** the peer's pod CIDR */
  dst: string;
  /** the peer's node IP */
  via: string;
}

interface VxlanPeer {
  node: string;
  dst: string;
  /** where the encapsulated packets go: the peer's node IP */
  nodeIP: string;
  /** the peer's tunnel address (its pod CIDR's network address) and device MAC */
  vtep: string;
  mac: string;
}

export interface PodNetPlan {
  self: PodNetSelf & { vtep: string; mac: string; /** the interface holding `ip`, the tunnel's lower device */ uplink?: string };
  direct: DirectRoute[];
  vxlan: VxlanPeer[];
  /** nodes left out, and why (no address yet, no pod CIDR yet, a range clashing with another) */
  skipped: Array<{ node: string; reason: string }>;
  /** pod traffic to outside the cluster range is masqueraded; absent when no cluster CIDR is known */
  masquerade?: { podCidr: string; clusterCidr: string };
}

export interface PlanInput {
  self: PodNetSelf;
  nodes: readonly Node[];
  /** this host's interface addresses, deciding which peers are directly connected */
  hostAddresses: readonly HostAddress[];
  clusterCidr?: string;
}

/** The node's first IPv4 InternalIP. */
export function nodeInternalIP(n: Node): string | undefined {
  return n.status?.addresses?.find((a) => a.type === 'InternalIP' && parseIpv4(a.address) !== undefined)?.address;
}

/** The node's IPv4 pod CIDR (spec.podCIDRs, else spec.podCIDR); IPv6 ranges are not routed yet. */
export function nodePodCidr(n: Node): string | undefined {
  const all = n.spec?.podCIDRs?.length ? n.spec.podCIDRs : n.spec?.podCIDR ? [n.spec.podCIDR] : [];
  return all.find((c) => !c.includes(':'));
}

/** A locally administered unicast MAC (0a:74 = 't') followed by the four bytes of the tunnel address. */
export function vtepMac(vtep: string): string {
  const n = parseIpv4(vtep);
  if (n === undefined) throw new Error(`tunnel address ${JSON.stringify(vtep)} is not an IPv4 address`);
  const bytes = [0x0a, 0x74, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

const contains = (c: Ipv4Cidr, ip: number) => ip - c.base >= 0 && ip - c.base < c.size;
const overlaps = (a: Ipv4Cidr, b: Ipv4Cidr) => contains(a, b.base) || contains(b, a.base);

function cidrOrError(text: string, what: string): Ipv4Cidr {
  try {
    return parseIpv4Cidr(text);
  } catch {
    throw new Error(`${what} ${JSON.stringify(text)} is not an IPv4 CIDR (a.b.c.d/n)`);
  }
}

/** The peer is one hop away: its IP lies in a subnet of one of this host's interfaces (host routes /32 do not count). */
function onLink(ip: number, host: readonly HostAddress[]): boolean {
  return host.some((a) => {
    const base = parseIpv4(a.address);
    if (base === undefined || a.prefix >= 32 || a.prefix < 1) return false;
    return contains(parseIpv4Cidr(`${a.address}/${a.prefix}`), ip);
  });
}

export function planPodNetwork(input: PlanInput): PodNetPlan {
  const { self } = input;
  const selfIp = parseIpv4(self.ip);
  if (selfIp === undefined) throw new Error(`node ${self.name}: InternalIP ${JSON.stringify(self.ip)} is not an IPv4 address`);
  const own = cidrOrError(self.podCidr, `node ${self.name}: pod CIDR`);
  const vtep = formatIpv4(own.base);
  const uplink = input.hostAddresses.find((a) => a.address === self.ip)?.dev;
  const plan: PodNetPlan = {
    self: { ...self, podCidr: formatIpv4Cidr(own), vtep, mac: vtepMac(vtep), ...(uplink ? { uplink } : {}) },
    direct: [],
    vxlan: [],
    skipped: [],
  };
  if (input.clusterCidr !== undefined) {
    const cluster = cidrOrError(input.clusterCidr, 'cluster CIDR');
    plan.masquerade = { podCidr: formatIpv4Cidr(own), clusterCidr: formatIpv4Cidr(cluster) };
  }
  const taken: Array<{ node: string; cidr: Ipv4Cidr }> = [{ node: self.name, cidr: own }];
  const peers = [...input.nodes].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const n of peers) {
    const name = n.metadata?.name ?? '';
    if (name === self.name || !name) continue;
    const skip = (reason: string) => plan.skipped.push({ node: name, reason });
    if (n.metadata?.labels?.[LABEL_SIMULATED] === 'true') {
      skip('a simulated node (no host to route to)');
      continue;
    }
    const ipText = nodeInternalIP(n);
    const cidrText = nodePodCidr(n);
    if (!ipText) {
      skip('no IPv4 InternalIP in status.addresses');
      continue;
    }
    if (!cidrText) {
      skip('no IPv4 pod CIDR in spec.podCIDRs');
      continue;
    }
    const ip = parseIpv4(ipText)!;
    if (ip === selfIp) {
      skip(`its InternalIP ${ipText} is this node's`);
      continue;
    }
    let cidr: Ipv4Cidr;
    try {
      cidr = parseIpv4Cidr(cidrText);
    } catch {
      skip(`pod CIDR ${JSON.stringify(cidrText)} is not an IPv4 CIDR`);
      continue;
    }
    const clash = taken.find((t) => overlaps(t.cidr, cidr));
    if (clash) {
      skip(`pod CIDR ${cidrText} overlaps ${formatIpv4Cidr(clash.cidr)} of node ${clash.node}`);
      continue;
    }
    taken.push({ node: name, cidr });
    const dst = formatIpv4Cidr(cidr);
    if (onLink(ip, input.hostAddresses)) {
      plan.direct.push({ node: name, dst, via: ipText });
    } else {
      const peerVtep = formatIpv4(cidr.base);
      plan.vxlan.push({ node: name, dst, nodeIP: ipText, vtep: peerVtep, mac: vtepMac(peerVtep) });
    }
  }
  return plan;
}
