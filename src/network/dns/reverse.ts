// PTR answers for addresses the cluster owns, as CoreDNS's kubernetes plugin gives them: a
// service's cluster IP names the service; otherwise an endpoint address names
// `<hostname or dashed IP>.<svc>.<ns>.svc.<zone>`. Other reverse names are not ours: like
// kubeadm's Corefile (`fallthrough in-addr.arpa ip6.arpa`) they go on to the upstream resolvers.

import type { Answer } from 'dns-packet';
import { LABEL_SERVICE_NAME } from '../../api/well-known.js';
import { canonicalIp, ipToDashed, reverseToIp } from './names.js';
import { ptrRecord } from './records.js';
import type { DnsSource } from './source.js';

/** PTR records for a reverse name, or undefined when the address is not a cluster one. */
export function reversePointers(
  labels: readonly string[],
  owner: string,
  source: DnsSource,
  zone: string,
  ttl: number,
): Answer[] | undefined {
  const ip = reverseToIp(labels.map((l) => l.toLowerCase()));
  if (!ip) return undefined;
  const svc = source.servicesByIp(ip)[0];
  if (svc) return [ptrRecord(owner, `${svc.metadata.name}.${svc.metadata.namespace}.svc.${zone}`, ttl)];
  const out: Answer[] = [];
  const seen = new Set<string>();
  for (const slice of source.slicesByIp(ip)) {
    const svcName = slice.metadata.labels?.[LABEL_SERVICE_NAME];
    if (!svcName) continue;
    for (const ep of slice.endpoints ?? []) {
      for (const a of ep.addresses ?? []) {
        if (canonicalIp(a) !== ip) continue;
        const target = `${ep.hostname ?? ipToDashed(a)}.${svcName}.${slice.metadata.namespace}.svc.${zone}`;
        if (seen.has(target)) continue;
        seen.add(target);
        out.push(ptrRecord(owner, target, ttl));
      }
    }
  }
  return out.length ? out : undefined;
}
