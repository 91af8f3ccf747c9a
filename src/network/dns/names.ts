// Query names of the cluster zone, taken apart the way CoreDNS's kubernetes plugin reads them
// (facts from plugin/kubernetes/parse.go and the Kubernetes DNS specification): counted from the
// right, `svc`|`pod`, then namespace, then service (or dashed pod IP), then either one endpoint
// label or `_port._proto`. Longer names are "too long" and so do not exist (NXDOMAIN). Also the
// reverse (in-addr.arpa / ip6.arpa) names and the dashed-IP forms used for pods and endpoints.

import { isIPv4, isIPv6 } from 'node:net';

/** What a name in the cluster zone asks for; fields left out were not in the name. */
export interface ZoneName {
  /** 'apex' is the zone itself, `svc.<zone>` or `pod.<zone>`: names that exist but own no data (NODATA). */
  kind: 'apex' | 'svc' | 'pod';
  namespace?: string;
  /** Service name, or for pods the dashed IP. */
  service?: string;
  /** An endpoint's hostname (headless services). */
  endpoint?: string;
  /** SRV port name and protocol, without their underscores. */
  port?: string;
  protocol?: string;
}

/** The labels of `labels` in front of `zone`, or undefined when the name is not inside the zone. */
export function withinZone(labels: readonly string[], zone: readonly string[]): string[] | undefined {
  if (labels.length < zone.length) return undefined;
  const off = labels.length - zone.length;
  for (let i = 0; i < zone.length; i++) if (labels[off + i] !== zone[i]) return undefined;
  return labels.slice(0, off);
}

const strip = (s: string) => (s.startsWith('_') ? s.slice(1) : s);

/** Parses the labels in front of the cluster zone; undefined: a name that cannot exist (NXDOMAIN). */
export function parseZoneName(rel: readonly string[]): ZoneName | undefined {
  const n = rel.length;
  if (n === 0) return { kind: 'apex' };
  const kind = rel[n - 1];
  if (kind !== 'svc' && kind !== 'pod') return undefined;
  if (n === 1) return { kind: 'apex' };
  const out: ZoneName = { kind, namespace: rel[n - 2] };
  if (n === 2) return out;
  out.service = rel[n - 3];
  if (n === 3) return out;
  if (n === 4) return { ...out, endpoint: rel[0] };
  if (n === 5) return { ...out, port: strip(rel[0]!), protocol: strip(rel[1]!) };
  return undefined;
}

/**
 * The IP a pod label stands for: `10-1-2-3` is IPv4; with other than three dashes (or a `--`) the
 * dashes are colons of an IPv6 address, as CoreDNS reads them. Undefined when it is not an address.
 */
export function dashedToIp(label: string): string | undefined {
  const dashes = label.split('-').length - 1;
  const ip = dashes === 3 && !label.includes('--') ? label.replaceAll('-', '.') : label.replaceAll('-', ':');
  return isIPv4(ip) || isIPv6(ip) ? ip : undefined;
}

/** The label an endpoint without a hostname is known by: its IP with dashes (IPv6 `::` ending gets a 0). */
export function ipToDashed(ip: string): string {
  if (ip.includes('.')) return ip.replaceAll('.', '-');
  const d = ip.replaceAll(':', '-');
  return d.endsWith('-') ? `${d}0` : d;
}

/** The address a reverse name (`4.3.2.1.in-addr.arpa`, 32 nibbles of ip6.arpa) points at, or undefined. */
export function reverseToIp(labels: readonly string[]): string | undefined {
  const n = labels.length;
  if (n === 6 && labels[4] === 'in-addr' && labels[5] === 'arpa') {
    const parts = labels.slice(0, 4).reverse();
    if (!parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
    return parts.join('.');
  }
  if (n === 34 && labels[32] === 'ip6' && labels[33] === 'arpa') {
    const nib = labels.slice(0, 32).reverse();
    if (!nib.every((x) => /^[0-9a-f]$/.test(x))) return undefined;
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(nib.slice(i, i + 4).join(''));
    return canonicalIp(groups.join(':'));
  }
  return undefined;
}

/** Whether the name is inside in-addr.arpa or ip6.arpa (a reverse zone we may answer for). */
export function isReverseName(labels: readonly string[]): boolean {
  const n = labels.length;
  return n >= 2 && labels[n - 1] === 'arpa' && (labels[n - 2] === 'in-addr' || labels[n - 2] === 'ip6');
}

/**
 * One spelling per address, so that lookups by IP match whatever form the API object used:
 * IPv4 as is, IPv6 in full lower-case groups without zero compression.
 */
export function canonicalIp(ip: string): string {
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return ip;
  let s = ip.toLowerCase();
  // an embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const b = v4.slice(1).map(Number) as [number, number, number, number];
    s = s.slice(0, v4.index) + `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? (s.split('::') as [string, string]) : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array.from({ length: 8 - h.length - t.length }, () => '0');
  return [...h, ...fill, ...t].map((g) => g.padStart(4, '0')).join(':');
}
