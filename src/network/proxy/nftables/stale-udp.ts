// Which UDP conntrack entries a change of service ports leaves stale. UDP has no connection to end:
// a client that keeps sending from one port keeps its conntrack entry, and with it the old DNAT,
// for as long as it sends. So, as kube-proxy does (pkg/proxy/conntrack), entries are deleted for a
// UDP service address that went away, for an endpoint that left a service port, and for a service
// port that gains its first endpoint (before that, its packets were rejected, and the entry without
// NAT would keep them from ever being DNATed). Each result is one `conntrack -D` argument list.

import type { ProxyServicePort } from '../model.js';

const isV4 = (ip: string) => !ip.includes(':');
const key = (p: ProxyServicePort) => `${p.id}/${p.protocol}`;

export function staleUdpFlows(prev: readonly ProxyServicePort[], next: readonly ProxyServicePort[]): string[][] {
  const now = new Map(next.filter((p) => p.protocol === 'UDP').map((p) => [key(p), p]));
  const out: string[][] = [];
  const seen = new Set<string>();
  const add = (args: string[]) => {
    const k = args.join(' ');
    if (!seen.has(k)) {
      seen.add(k);
      out.push(args);
    }
  };
  const byService = (ip: string, port: number, extra: string[] = []) =>
    add(['-D', '-p', 'udp', '--orig-dst', ip, '--orig-port-dst', String(port), ...extra]);
  const byNodePort = (port: number, extra: string[] = []) => add(['-D', '-p', 'udp', '--orig-port-dst', String(port), ...extra]);

  for (const before of prev) {
    if (before.protocol !== 'UDP') continue;
    const after = now.get(key(before));
    const ips = after && after.port === before.port ? new Set(after.clusterIPs) : new Set<string>();
    for (const ip of before.clusterIPs.filter(isV4)) {
      if (!ips.has(ip)) {
        byService(ip, before.port);
        continue;
      }
      const left = new Set((after?.clusterEndpoints ?? []).map((e) => `${e.ip}:${e.port}`));
      for (const e of before.clusterEndpoints)
        if (isV4(e.ip) && !left.has(`${e.ip}:${e.port}`)) byService(ip, before.port, ['--dst-nat', e.ip]);
    }
    if (before.nodePort) {
      const kept =
        after?.nodePort === before.nodePort ? new Set(after.nodePortEndpoints.map((e) => `${e.ip}:${e.port}`)) : new Set<string>();
      for (const e of before.nodePortEndpoints)
        if (isV4(e.ip) && !kept.has(`${e.ip}:${e.port}`)) byNodePort(before.nodePort, ['--dst-nat', e.ip]);
    }
  }
  const old = new Map(prev.filter((p) => p.protocol === 'UDP').map((p) => [key(p), p]));
  for (const after of now.values()) {
    const before = old.get(key(after));
    if (after.clusterEndpoints.length > 0 && !before?.clusterEndpoints.length)
      for (const ip of after.clusterIPs.filter(isV4)) byService(ip, after.port);
    if (after.nodePort && after.nodePortEndpoints.length > 0 && !(before?.nodePort === after.nodePort && before.nodePortEndpoints.length))
      byNodePort(after.nodePort);
  }
  return out;
}

export interface UdpEntry {
  origDst: string;
  origDport: number;
  /** The reply's source: the DNAT target. */
  replySrc: string;
}

/** Entries of `conntrack -L -p udp` (original tuple first, reply tuple second on each line). */
export function parseUdpEntries(text: string): UdpEntry[] {
  const out: UdpEntry[] = [];
  for (const line of text.split('\n')) {
    const dst = [...line.matchAll(/\bdst=(\S+)/g)].map((m) => m[1]!);
    const dport = /\bdport=(\d+)/.exec(line);
    const src = [...line.matchAll(/\bsrc=(\S+)/g)].map((m) => m[1]!);
    if (dst[0] && dport && src[1]) out.push({ origDst: dst[0], origDport: Number(dport[1]), replySrc: src[1] });
  }
  return out;
}

/** Whether a `conntrack -D` argument list from staleUdpFlows would delete this entry. */
export function matchesFlow(args: readonly string[], e: UdpEntry): boolean {
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const dst = opt('--orig-dst');
  const dport = opt('--orig-port-dst');
  const nat = opt('--dst-nat');
  return (
    (dst === undefined || dst === e.origDst) &&
    (dport === undefined || Number(dport) === e.origDport) &&
    (nat === undefined || nat === e.replySrc)
  );
}
