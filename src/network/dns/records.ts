// Resource records of the cluster zone in dns-packet's shape, and the numbers they use. The SOA is
// formed as CoreDNS forms it for the kubernetes plugin: `ns.dns.<zone>` / `hostmaster.<zone>`,
// the serial the time of the last change, refresh 7200, retry 1800, expire 86400, minimum the
// zone's TTL, and its own TTL min(ttl, 300).

import { isIPv4 } from 'node:net';
import type { Answer } from 'dns-packet';

export const QTYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, IXFR: 251, AXFR: 252 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export const RCODE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(RCODE).map(([k, v]) => [v, k]));

/** The schema version CoreDNS publishes as TXT at dns-version.<zone> (DNS specification 1.1.0). */
export const DNS_SCHEMA_VERSION = '1.1.0';
export const DNS_VERSION_TTL = 28800;

export const addressRecord = (name: string, ip: string, ttl: number): Answer =>
  isIPv4(ip) ? { type: 'A', name, ttl, class: 'IN', data: ip } : { type: 'AAAA', name, ttl, class: 'IN', data: ip };

export const cnameRecord = (name: string, target: string, ttl: number): Answer => ({ type: 'CNAME', name, ttl, class: 'IN', data: target });

export const ptrRecord = (name: string, target: string, ttl: number): Answer => ({ type: 'PTR', name, ttl, class: 'IN', data: target });

export const srvRecord = (name: string, target: string, port: number, weight: number, ttl: number): Answer => ({
  type: 'SRV',
  name,
  ttl,
  class: 'IN',
  data: { priority: 0, weight, port, target },
});

export function soaRecord(zone: string, ttl: number, serial: number): Answer {
  return {
    type: 'SOA',
    name: zone,
    ttl: Math.min(ttl, 300),
    class: 'IN',
    data: {
      mname: `ns.dns.${zone}`,
      rname: `hostmaster.${zone}`,
      serial: serial >>> 0,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: ttl,
    },
  };
}
