// The authoritative answers of the cluster zone, after CoreDNS's kubernetes plugin (plugin/kubernetes
// and plugin/backend_lookup.go, read for behaviour) and the Kubernetes DNS specification:
// - `<svc>.<ns>.svc.<zone>`: A/AAAA of the cluster IPs; a headless service: its ready endpoints'
//   addresses (none ready: NXDOMAIN); ExternalName: a CNAME (the target is chased by the caller).
// - `<host>.<svc>.<ns>.svc.<zone>`: the endpoint whose hostname (or dashed IP) is `<host>`.
// - `_<port>._<proto>.<svc>...` SRV: one per matching named port (per ready endpoint for headless),
//   priority 0, weight 100/n, target the service name or `<host>.<svc>...`, addresses in additional.
// - `<ip-dashed>.<ns>.pod.<zone>`: pod A/AAAA. Pod mode: CoreDNS's default is `disabled` (NXDOMAIN);
//   kubeadm's and CoreDNS's own Kubernetes Corefile set `pods insecure` (any well-formed address is
//   answered, as kube-dns did), and clients rely on it, so Tandem defaults to `insecure`; `verified`
//   (a pod with that IP must exist in that namespace) and `disabled` are options. Unlike CoreDNS, a
//   label in front of a pod name (`x.1-2-3-4.ns.pod...`) is NXDOMAIN, not the pod's address.
// - A name that exists but has no record of the asked type is NODATA (NOERROR, empty answer, SOA
//   in authority); a name that does not exist is NXDOMAIN with the SOA; before the caches have
//   synced, NXDOMAIN becomes SERVFAIL (a cold server must not deny names that exist).
// - TXT `dns-version.<zone>` is the schema version; SOA and NS are answered at the apex; AXFR/IXFR
//   are REFUSED.

import { isIPv4, isIPv6 } from 'node:net';
import type { Answer } from 'dns-packet';
import type { EndpointSlice, Service } from '../../api/gen/types.js';
import { dashedToIp, ipToDashed, parseZoneName, withinZone, type ZoneName } from './names.js';
import { addressRecord, cnameRecord, DNS_SCHEMA_VERSION, DNS_VERSION_TTL, QTYPE, RCODE, soaRecord, srvRecord } from './records.js';
import type { DnsSource } from './source.js';

export type PodMode = 'disabled' | 'insecure' | 'verified';

export interface ZoneConfig {
  /** Lower case, no trailing dot, e.g. `cluster.local`. */
  zone: string;
  ttl: number;
  pods: PodMode;
  source: DnsSource;
}

interface ZoneResult {
  rcode: number;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /** An ExternalName target outside the zone: the caller resolves it (same qtype) and appends the answers. */
  chase?: string;
}

/** One thing a name stands for: an address, or an ExternalName's target; with a port and SRV target when asked. */
interface Item {
  host: string;
  cname: boolean;
  port?: number;
  target?: string;
}

/** The name does not exist. */
const NX = 'nx' as const;

const LABEL = /^[a-z0-9_-]+$/;
const MAX_CHAIN = 10;

export interface ClusterZone {
  /** Whether a name (lower-case labels) is inside the zone. */
  contains(labels: readonly string[]): boolean;
  /** Answers a question whose name is inside the zone; `labels` keep the asker's case for owner names. */
  answer(labels: readonly string[], qtype: number): ZoneResult;
  soa(): Answer;
}

export function createClusterZone(cfg: ZoneConfig): ClusterZone {
  const zoneLabels = cfg.zone.split('.');
  const { source, ttl } = cfg;
  const svcName = (svc: string, ns: string) => `${svc}.${ns}.svc.${cfg.zone}`;
  const soa = () => soaRecord(cfg.zone, ttl, source.modified());
  const ready = (s: EndpointSlice) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false);

  function podItems(n: ZoneName): Item[] | typeof NX {
    if (n.service === undefined) return [];
    if (cfg.pods === 'disabled' || n.endpoint !== undefined || n.port !== undefined) return NX;
    const ip = dashedToIp(n.service);
    if (!ip) return NX;
    if (cfg.pods === 'insecure') return [{ host: ip, cname: false }];
    const found = source.podsByIp(ip).some((p) => p.metadata.namespace === n.namespace);
    return found ? [{ host: ip, cname: false }] : NX;
  }

  const portMatches = (n: ZoneName, name: string | undefined, protocol: string | undefined) =>
    (n.port === undefined || n.port === (name ?? '').toLowerCase()) &&
    (n.protocol === undefined || n.protocol === (protocol ?? 'TCP').toLowerCase());

  function endpointItems(n: ZoneName, svc: Service): Item[] {
    const ns = svc.metadata.namespace ?? '';
    const out: Item[] = [];
    for (const slice of source.endpointSlices(ns, svc.metadata.name ?? '')) {
      if (slice.addressType === 'FQDN') continue;
      for (const ep of ready(slice)) {
        for (const ip of ep.addresses ?? []) {
          const host = ep.hostname ?? ipToDashed(ip);
          if (n.endpoint !== undefined && n.endpoint !== host.toLowerCase()) continue;
          const target = `${host}.${svcName(svc.metadata.name ?? '', ns)}`;
          const ports = slice.ports ?? [];
          // a slice without ports still gives addresses (CoreDNS's placeholder port), never SRV
          if (ports.length === 0 && n.port === undefined && n.protocol === undefined) out.push({ host: ip, cname: false, target });
          for (const p of ports) if (portMatches(n, p.name, p.protocol)) out.push({ host: ip, cname: false, port: p.port, target });
        }
      }
    }
    return out;
  }

  function serviceItems(n: ZoneName): Item[] | typeof NX {
    if (n.service === undefined) return [];
    const svc = source.service(n.namespace ?? '', n.service);
    if (!svc) return NX;
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') {
      const target = spec.externalName;
      if (n.endpoint !== undefined || n.port !== undefined || !target || isIPv4(target) || isIPv6(target)) return NX;
      return [{ host: target.replace(/\.$/, ''), cname: true }];
    }
    const headless = spec.clusterIP === 'None';
    if (headless || n.endpoint !== undefined) {
      const items = endpointItems(n, svc);
      return items.length ? items : NX;
    }
    const ips = (spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : []).filter((ip) => ip !== 'None');
    const target = svcName(svc.metadata.name ?? '', svc.metadata.namespace ?? '');
    const items: Item[] = [];
    let matched = false;
    for (const p of spec.ports ?? []) {
      if (!portMatches(n, p.name, p.protocol)) continue;
      matched = true;
      for (const ip of ips) items.push({ host: ip, cname: false, port: p.port, target });
    }
    return matched ? items : NX;
  }

  /** What a name inside the zone stands for; NX when it does not exist. */
  function lookup(rel: readonly string[]): Item[] | typeof NX {
    if (!rel.every((l) => LABEL.test(l))) return NX;
    const n = parseZoneName(rel);
    if (!n) return NX;
    if (n.kind === 'apex') return [];
    return n.kind === 'pod' ? podItems(n) : serviceItems(n);
  }

  const result = (rcode: number, answers: Answer[] = [], additionals: Answer[] = []): ZoneResult => ({
    rcode,
    answers,
    additionals,
    authorities: answers.length === 0 ? [soa()] : [],
  });
  const denied = () => result(source.hasSynced() ? RCODE.NXDOMAIN : RCODE.SERVFAIL);

  function addresses(owner: string, rel: readonly string[], qtype: number, depth: number): ZoneResult {
    const items = lookup(rel);
    if (items === NX) return denied();
    const want = qtype === QTYPE.A ? isIPv4 : isIPv6;
    const answers: Answer[] = [];
    const seen = new Set<string>();
    let chase: string | undefined;
    for (const it of items) {
      if (it.cname) {
        const targetLabels = it.host.toLowerCase().split('.');
        const inner = withinZone(targetLabels, zoneLabels);
        if (targetLabels.join('.') === rel.concat(zoneLabels).join('.')) continue; // x CNAME x
        answers.push(cnameRecord(owner, it.host, ttl));
        if (inner && depth < MAX_CHAIN) answers.push(...addresses(it.host, inner, qtype, depth + 1).answers);
        else if (!inner) chase = it.host;
        continue;
      }
      if (want(it.host) && !seen.has(it.host)) {
        seen.add(it.host);
        answers.push(addressRecord(owner, it.host, ttl));
      }
    }
    const r = result(RCODE.NOERROR, answers);
    if (chase) r.chase = chase;
    return r;
  }

  function srv(owner: string, rel: readonly string[]): ZoneResult {
    const items = lookup(rel);
    if (items === NX) return denied();
    const withPort = items.filter((i) => !i.cname && i.port !== undefined && i.target !== undefined);
    const weight = Math.max(1, Math.floor(100 / Math.max(1, withPort.length)));
    const answers: Answer[] = [];
    const additionals: Answer[] = [];
    const seen = new Set<string>();
    for (const it of withPort) {
      const key = `${it.target}|${it.port}`;
      if (!seen.has(key)) {
        seen.add(key);
        answers.push(srvRecord(owner, it.target!, it.port!, weight, ttl));
      }
      const addrKey = `${it.target}|${it.host}`;
      if (!seen.has(addrKey)) {
        seen.add(addrKey);
        additionals.push(addressRecord(it.target!, it.host, ttl));
      }
    }
    return result(RCODE.NOERROR, answers, additionals);
  }

  return {
    contains: (labels) => withinZone(labels, zoneLabels) !== undefined,
    soa,
    answer(labels, qtype) {
      const lower = labels.map((l) => l.toLowerCase());
      const rel = withinZone(lower, zoneLabels);
      if (!rel) throw new Error(`${labels.join('.')} is not in zone ${cfg.zone}`);
      const owner = labels.join('.');
      switch (qtype) {
        case QTYPE.A:
        case QTYPE.AAAA:
          return addresses(owner, rel, qtype, 0);
        case QTYPE.SRV:
          return srv(owner, rel);
        case QTYPE.CNAME: {
          const items = lookup(rel);
          if (items === NX) return denied();
          return result(
            RCODE.NOERROR,
            items.filter((i) => i.cname).map((i) => cnameRecord(owner, i.host, ttl)),
          );
        }
        case QTYPE.TXT:
          if (rel.length === 1 && rel[0] === 'dns-version')
            return result(RCODE.NOERROR, [{ type: 'TXT', name: owner, ttl: DNS_VERSION_TTL, class: 'IN', data: DNS_SCHEMA_VERSION }]);
          break;
        case QTYPE.SOA:
          if (rel.length === 0) return result(RCODE.NOERROR, [{ ...soa(), name: owner }]);
          break;
        case QTYPE.NS:
          if (rel.length === 0) return result(RCODE.NOERROR, [{ type: 'NS', name: owner, ttl, class: 'IN', data: `ns.dns.${cfg.zone}` }]);
          break;
        case QTYPE.AXFR:
        case QTYPE.IXFR:
          return { rcode: RCODE.REFUSED, answers: [], authorities: [], additionals: [] };
        default:
          break;
      }
      // any other type: the name's existence decides between NODATA and NXDOMAIN
      return lookup(rel) === NX ? denied() : result(RCODE.NOERROR);
    },
  };
}
