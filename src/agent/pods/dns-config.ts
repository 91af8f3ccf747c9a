// A pod's resolver settings (the sandbox's nameservers, search list and options) from its dnsPolicy
// and dnsConfig, as the kubelet forms them:
// - ClusterFirst: the cluster DNS addresses as the only nameservers, the search list
//   `<ns>.svc.<domain> svc.<domain> <domain>` followed by the host's, and `ndots:5`. A hostNetwork
//   pod with ClusterFirst gets the host's settings instead (it shares the host's network, where the
//   Service range may not be routed); ClusterFirstWithHostNet asks for the cluster settings anyway.
// - Default: the host's settings. None: nothing but the pod's dnsConfig.
// - dnsConfig is added last: nameservers and searches appended without duplicates, options merged
//   by name with the pod's value winning. Then the limits libc resolvers accept are applied (3
//   nameservers; 32 search paths, none over 253 characters, 2048 characters in all), and what was
//   cut is reported as upstream's DNSConfigForming warning.
// - No cluster DNS address configured: ClusterFirst falls back to Default with a MissingClusterDNS
//   warning, as the kubelet does.
//
// Windows pods differ (the Windows resolver, not the agent, decides; see notes/windows.md §1.7):
// - The resolver applies one DNS suffix, and treats any name with a dot as fully qualified. The
//   search list is cut to its first entry (for ClusterFirst `<ns>.svc.<domain>`), so that what the
//   pod is given is what it gets: `my-svc` resolves, `my-svc.other-ns` needs the full name.
// - A hostNetwork Windows pod (HostProcess) resolves through the host's own network stack, so every
//   policy but None gives it the host's settings: ClusterFirstWithHostNet is not supported there.

import type { Pod, PodDNSConfig } from '../../api/gen/types.js';
import type { HostInfo } from '../platform/common/platform.js';

/** Resolver settings: the host's resolv.conf, or the ones a pod's sandbox gets. */
export interface DnsSettings {
  servers: string[];
  searches: string[];
  options: string[];
}

type HostOs = HostInfo['os'];

/** What the node knows about DNS: the host's resolver settings and the cluster DNS it was given. */
export interface NodeDnsConfig {
  /** the host's resolv.conf (on Windows: empty until the agent reads the host's adapters) */
  host: DnsSettings;
  /** the cluster DNS Service addresses (the agent's --cluster-dns); empty: ClusterFirst falls back to Default */
  clusterDns: readonly string[];
  /** the cluster domain (default cluster.local) */
  clusterDomain: string;
  /** told when the settings differ from what the pod asked for (the agent records an Event on the pod) */
  onWarning?: (pod: Pod, w: DnsWarning) => void;
}

interface DnsWarning {
  reason: 'DNSConfigForming' | 'MissingClusterDNS';
  message: string;
}

export interface PodDnsResult {
  dns: DnsSettings;
  warnings: DnsWarning[];
}

const MAX_NAMESERVERS = 3;
const MAX_SEARCH_PATHS = 32;
const MAX_SEARCH_CHARS = 2048;
const MAX_SEARCH_PATH_LENGTH = 253;
const DEFAULT_OPTIONS = ['ndots:5'];

const uniq = (xs: readonly string[]): string[] => [...new Set(xs)];

/** The pod's name as the kubelet prints it in events: `name_namespace(uid)`. */
const podText = (pod: Pod) => `${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? ''}(${pod.metadata.uid ?? ''})`;

function clusterSearches(pod: Pod, domain: string, hostSearches: readonly string[]): string[] {
  if (!domain) return [...hostSearches];
  const ns = pod.metadata.namespace || 'default';
  return uniq([`${ns}.svc.${domain}`, `svc.${domain}`, domain, ...hostSearches]);
}

/** Options merged by name (`name` or `name:value`); later ones replace earlier ones in place. */
function mergeOptions(base: readonly string[], extra: PodDNSConfig['options']): string[] {
  const byName = new Map<string, string>();
  for (const o of base) {
    const i = o.indexOf(':');
    byName.set(i < 0 ? o : o.slice(0, i), o);
  }
  for (const o of extra ?? []) {
    const name = o.name ?? '';
    if (!name) continue;
    byName.set(name, o.value ? `${name}:${o.value}` : name);
  }
  return [...byName.values()];
}

function fitSearches(searches: string[], warnings: DnsWarning[]): string[] {
  let out = searches.slice(0, MAX_SEARCH_PATHS);
  let cut = out.length < searches.length;
  const kept = out.filter((s) => s.length <= MAX_SEARCH_PATH_LENGTH);
  if (kept.length < out.length) cut = true;
  out = kept;
  while (out.length > 0 && out.join(' ').length > MAX_SEARCH_CHARS) {
    out = out.slice(0, -1);
    cut = true;
  }
  if (cut)
    warnings.push({
      reason: 'DNSConfigForming',
      message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${out.join(' ')}`,
    });
  return out;
}

function fitNameservers(servers: string[], warnings: DnsWarning[]): string[] {
  if (servers.length <= MAX_NAMESERVERS) return servers;
  const out = servers.slice(0, MAX_NAMESERVERS);
  warnings.push({
    reason: 'DNSConfigForming',
    message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${out.join(' ')}`,
  });
  return out;
}

type Base = 'cluster' | 'host' | 'none';

function baseOf(pod: Pod, os: HostOs): Base {
  const hostNetwork = pod.spec?.hostNetwork === true;
  switch (pod.spec?.dnsPolicy) {
    case 'None':
      return 'none';
    case 'Default':
      return 'host';
    case 'ClusterFirstWithHostNet':
      return hostNetwork && os === 'windows' ? 'host' : 'cluster';
    default:
      // ClusterFirst, and anything the API server should have rejected
      return hostNetwork ? 'host' : 'cluster';
  }
}

/** The resolver settings of `pod`'s sandbox on a node of OS `os`. Pure: the caller records the warnings. */
export function podDnsSettings(pod: Pod, node: Pick<NodeDnsConfig, 'host' | 'clusterDns' | 'clusterDomain'>, os: HostOs): PodDnsResult {
  const warnings: DnsWarning[] = [];
  let base = baseOf(pod, os);
  if (base === 'cluster' && node.clusterDns.length === 0) {
    const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
    warnings.push({
      reason: 'MissingClusterDNS',
      message: `pod: "${podText(pod)}". kubelet does not have ClusterDNS IP configured and cannot create Pod using "${policy}" policy. Falling back to "Default" policy.`,
    });
    base = 'host';
  }
  let dns: DnsSettings;
  switch (base) {
    case 'none':
      dns = { servers: [], searches: [], options: [] };
      break;
    case 'host':
      dns = { servers: [...node.host.servers], searches: [...node.host.searches], options: [...node.host.options] };
      break;
    case 'cluster':
      dns = {
        servers: [...node.clusterDns],
        searches: clusterSearches(pod, node.clusterDomain, node.host.searches),
        options: [...DEFAULT_OPTIONS],
      };
      break;
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    dns = {
      servers: uniq([...dns.servers, ...(extra.nameservers ?? [])]),
      searches: uniq([...dns.searches, ...(extra.searches ?? [])]),
      options: mergeOptions(dns.options, extra.options),
    };
  }
  dns.servers = fitNameservers(dns.servers, warnings);
  dns.searches = fitSearches(dns.searches, warnings);
  if (os === 'windows' && dns.searches.length > 1) dns.searches = dns.searches.slice(0, 1);
  return { dns, warnings };
}
