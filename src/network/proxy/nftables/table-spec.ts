// The nftables table that makes a node's kernel forward Service traffic, as data: chains with their
// rules, the dispatch maps and the per-endpoint affinity sets. Its layout follows kube-proxy's
// nftables mode (pkg/proxy/nftables): base chains on the nat and filter hooks jump to a `services`
// chain that looks the destination up in verdict maps (cluster IP . protocol . port, and
// protocol . node port on the node's addresses); each service port has a chain that spreads new
// connections evenly over per-endpoint chains with `numgen random`; each endpoint chain DNATs.
// Service ports without endpoints are rejected by filter chains that run before DNAT. Traffic that
// must come back through this node (from the host itself, hairpin, node ports to remote endpoints)
// is marked and masqueraded in postrouting. IPv4 only: IPv6 addresses are counted and skipped.

import { createHash } from 'node:crypto';
import type { ProxyEndpoint, ProxyServicePort } from '../model.js';

export interface TableOptions {
  /** The table's name in family `ip` (default `tandem-proxy`): one table per proxy, so two never collide. */
  table?: string;
  /** IPv4 addresses of this node that answer node ports. */
  nodeIPs: readonly string[];
  /** Answer node ports on 127.0.0.1 too (needs net.ipv4.conf.all.route_localnet=1; default true). */
  localhostNodePorts?: boolean;
  /** The pod network: cluster-IP traffic from outside it is masqueraded. Without it, only the host's own traffic is. */
  podCIDRs?: readonly string[];
  /** The packet mark bit that asks for masquerade (default 0x4000, kube-proxy's bit 14). */
  masqueradeMark?: number;
}

export const DEFAULT_TABLE = 'tandem-proxy';

export interface TableSpec {
  name: string;
  /** Base chains: name → its hook declaration. */
  hooks: ReadonlyMap<string, string>;
  /** Every chain (base ones too) with its rules, in order. */
  chains: ReadonlyMap<string, readonly string[]>;
  /** Sets and maps rebuilt whole on each apply: name → type declaration and elements. */
  maps: ReadonlyMap<string, { decl: string; elements: readonly string[] }>;
  /** Per-endpoint session-affinity sets (kept across applies, so clients stay where they are): name → timeout s. */
  affinitySets: ReadonlyMap<string, number>;
  /** Service ports with at least one IPv4 cluster IP programmed. */
  ports: number;
  /** IPv6 cluster IPs and endpoints left out. */
  skippedIPv6: number;
}

const PRIO_DSTNAT = -100;
const PRIO_SRCNAT = 100;
const PRIO_FILTER = PRIO_DSTNAT - 10; // before DNAT, so the filter sees the service address

const NAME_MAX = 240;
const isV4 = (ip: string) => !ip.includes(':');

/** A chain or set name: a hash (unique even when truncated) then the readable service port. */
function objName(prefix: string, base: string): string {
  const hash = createHash('sha256').update(`${prefix}${base}`).digest('hex').slice(0, 8);
  const name = `${prefix}-${hash}-${base}`;
  return name.length > NAME_MAX ? `${name.slice(0, NAME_MAX - 3)}...` : name;
}

const proto = (p: ProxyServicePort) => p.protocol.toLowerCase();
const portBase = (p: ProxyServicePort) => `${p.namespace}/${p.name}/${proto(p)}/${p.portName}`;
const epKey = (e: ProxyEndpoint) => `${e.ip}:${e.port}`;
const sameEndpoints = (a: readonly ProxyEndpoint[], b: readonly ProxyEndpoint[]) =>
  a.length === b.length && a.every((e, i) => epKey(e) === epKey(b[i]!));
const ipSet = (ips: readonly string[]) => (ips.length === 1 ? ips[0]! : `{ ${ips.join(', ')} }`);

export function buildTableSpec(ports: readonly ProxyServicePort[], o: TableOptions): TableSpec {
  const mark = `0x${(o.masqueradeMark ?? 0x4000).toString(16)}`;
  const hooks = new Map<string, string>([
    ['nat-prerouting', `type nat hook prerouting priority ${PRIO_DSTNAT}; policy accept;`],
    ['nat-output', `type nat hook output priority ${PRIO_DSTNAT}; policy accept;`],
    ['nat-postrouting', `type nat hook postrouting priority ${PRIO_SRCNAT}; policy accept;`],
    ['filter-input', `type filter hook input priority ${PRIO_FILTER}; policy accept;`],
    ['filter-forward', `type filter hook forward priority ${PRIO_FILTER}; policy accept;`],
    ['filter-output', `type filter hook output priority ${PRIO_FILTER}; policy accept;`],
  ]);
  const chains = new Map<string, string[]>([
    ['nat-prerouting', ['jump services']],
    ['nat-output', ['jump services']],
    ['nat-postrouting', ['jump masquerading']],
    ['filter-input', ['ct state new jump endpoints-check']],
    ['filter-forward', ['ct state new jump endpoints-check']],
    ['filter-output', ['ct state new jump endpoints-check']],
    [
      'services',
      ['ip daddr . meta l4proto . th dport vmap @service-ips', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports'],
    ],
    [
      'endpoints-check',
      [
        'ip daddr . meta l4proto . th dport vmap @no-endpoint-services',
        'ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports',
      ],
    ],
    // a TCP client learns at once (reset); others get ICMP port unreachable, as with kube-proxy's reject
    ['reject-chain', ['meta l4proto tcp reject with tcp reset', 'reject']],
    ['mark-for-masquerade', [`meta mark set meta mark or ${mark}`]],
    ['masquerading', [`meta mark & ${mark} == 0 return`, `meta mark set meta mark xor ${mark}`, 'masquerade fully-random']],
  ]);
  const nodeIPs = o.nodeIPs.filter(isV4);
  if (o.localhostNodePorts ?? true) nodeIPs.push('127.0.0.1');
  // keyed by the element's key: a duplicate (two Services claiming one address and port) would fail the whole transaction
  const serviceIps = new Map<string, string>();
  const serviceNodePorts = new Map<string, string>();
  const noEpServices = new Map<string, string>();
  const noEpNodePorts = new Map<string, string>();
  const put = (m: Map<string, string>, key: string, verdict: string) => {
    if (!m.has(key)) m.set(key, `${key} : ${verdict}`);
  };
  const affinitySets = new Map<string, number>();
  let programmed = 0;
  let skippedIPv6 = 0;

  for (const p of ports) {
    const cips = p.clusterIPs.filter(isV4);
    skippedIPv6 += p.clusterIPs.length - cips.length;
    if (cips.length === 0) continue;
    programmed++;
    const pr = proto(p);
    const base = portBase(p);
    const cluster = p.clusterEndpoints.filter((e) => isV4(e.ip));
    const external = p.nodePort ? p.nodePortEndpoints.filter((e) => isV4(e.ip)) : [];
    skippedIPv6 += p.clusterEndpoints.length - cluster.length + (p.nodePort ? p.nodePortEndpoints.length - external.length : 0);
    const svcChain = objName('svc', base);
    const extChain = objName('ext', base);
    const epChain = (e: ProxyEndpoint) => objName('ep', `${base}__${e.ip}/${e.port}`);
    const affSet = (e: ProxyEndpoint) => objName('aff', `${base}__${e.ip}/${e.port}/${p.affinityTimeoutSeconds ?? 0}`);

    /** Affinity lookups, then an even random spread over `eps`. */
    const balance = (eps: readonly ProxyEndpoint[]): string[] => {
      const rules = p.affinityTimeoutSeconds ? eps.map((e) => `ip saddr @${affSet(e)} goto ${epChain(e)}`) : [];
      if (eps.length === 1) rules.push(`goto ${epChain(eps[0]!)}`);
      else rules.push(`numgen random mod ${eps.length} vmap { ${eps.map((e, i) => `${i} : goto ${epChain(e)}`).join(', ')} }`);
      return rules;
    };

    for (const ip of cips) {
      if (cluster.length > 0) put(serviceIps, `${ip} . ${pr} . ${p.port}`, `goto ${svcChain}`);
      else put(noEpServices, `${ip} . ${pr} . ${p.port}`, 'goto reject-chain');
    }
    if (cluster.length > 0) {
      // the service chain is also the node-port path when both use the same endpoints: only cluster-IP traffic here
      const dest = `ip daddr ${ipSet(cips)} ${pr} dport ${p.port}`;
      const masq = o.podCIDRs?.length
        ? `${dest} ip saddr != ${ipSet(o.podCIDRs)} jump mark-for-masquerade`
        : `${dest} fib saddr type local jump mark-for-masquerade`;
      chains.set(svcChain, [masq, ...balance(cluster)]);
    }
    if (p.nodePort) {
      if (external.length > 0) {
        put(serviceNodePorts, `${pr} . ${p.nodePort}`, `goto ${extChain}`);
        // replies from a remote endpoint must come back here; local endpoints keep the client's address
        // (externalTrafficPolicy Local's point), except for the host's own traffic (127.0.0.1 cannot leave)
        const masq = external.some((e) => !e.local) ? 'jump mark-for-masquerade' : 'fib saddr type local jump mark-for-masquerade';
        chains.set(extChain, [masq, ...(sameEndpoints(external, cluster) ? [`goto ${svcChain}`] : balance(external))]);
      } else put(noEpNodePorts, `${pr} . ${p.nodePort}`, 'goto reject-chain');
    }
    const seen = new Set<string>();
    for (const e of [...cluster, ...external]) {
      const chain = epChain(e);
      if (seen.has(chain)) continue;
      seen.add(chain);
      const rules = [`ip saddr ${e.ip} jump mark-for-masquerade`];
      if (p.affinityTimeoutSeconds) {
        affinitySets.set(affSet(e), p.affinityTimeoutSeconds);
        rules.push(`update @${affSet(e)} { ip saddr }`);
      }
      rules.push(`meta l4proto ${pr} dnat to ${e.ip}:${e.port}`);
      chains.set(chain, rules);
    }
  }

  const maps = new Map<string, { decl: string; elements: readonly string[] }>([
    ['nodeport-ips', { decl: 'type ipv4_addr;', elements: [...new Set(nodeIPs)] }],
    ['service-ips', { decl: 'type ipv4_addr . inet_proto . inet_service : verdict;', elements: [...serviceIps.values()] }],
    ['service-nodeports', { decl: 'type inet_proto . inet_service : verdict;', elements: [...serviceNodePorts.values()] }],
    ['no-endpoint-services', { decl: 'type ipv4_addr . inet_proto . inet_service : verdict;', elements: [...noEpServices.values()] }],
    ['no-endpoint-nodeports', { decl: 'type inet_proto . inet_service : verdict;', elements: [...noEpNodePorts.values()] }],
  ]);
  return { name: o.table ?? DEFAULT_TABLE, hooks, chains, maps, affinitySets, ports: programmed, skippedIPv6 };
}
