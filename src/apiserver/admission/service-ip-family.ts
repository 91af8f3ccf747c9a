// The IP family checks of a Service on a single-stack IPv4 cluster, with upstream's messages
// (the allocator's initIPFamilyFields): IPv6 and dual-stack requests are refused by name.
// Defaulting (ipFamilyPolicy SingleStack, ipFamilies [IPv4]) happens earlier, in the kind's defaults.

import type { ServiceSpec } from '../../api/gen/types.js';
import type { FieldError } from '../../base/errors.js';
import { parseIpv4 } from '../../base/ipv4-cidr.js';

const POLICIES = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];
const FAMILIES = ['IPv4', 'IPv6'];

/** IPv4 dotted quads, or something shaped like IPv6 (only its family matters here: IPv6 is refused anyway). */
const isIp = (ip: string) => parseIpv4(ip) !== undefined || (ip.includes(':') && /^[0-9a-fA-F:.]+$/.test(ip));

const bad = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail });

export function ipFamilyErrors(spec: ServiceSpec): FieldError[] {
  if ((spec.type ?? 'ClusterIP') === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const policy = spec.ipFamilyPolicy;
  const families = spec.ipFamilies ?? [];
  if (policy !== undefined && !POLICIES.includes(policy)) {
    errs.push({
      type: 'FieldValueNotSupported',
      field: 'spec.ipFamilyPolicy',
      value: policy,
      detail: `supported values: ${POLICIES.map((p) => JSON.stringify(p)).join(', ')}`,
    });
  }
  families.forEach((f, i) => {
    if (!FAMILIES.includes(f))
      errs.push({
        type: 'FieldValueNotSupported',
        field: `spec.ipFamilies[${i}]`,
        value: f,
        detail: `supported values: ${FAMILIES.map((p) => JSON.stringify(p)).join(', ')}`,
      });
  });
  const ips = spec.clusterIPs ?? [];
  if (spec.clusterIP) {
    if (ips.length === 0) errs.push({ type: 'FieldValueRequired', field: 'spec.clusterIPs', detail: '' });
    else if (ips[0] !== spec.clusterIP) errs.push(bad('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  } else if (ips.length > 0) errs.push(bad('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'));
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) errs.push(bad('spec.clusterIPs', ips, "'None' must be the first and only value"));
    } else if (!isIp(ip)) errs.push(bad(`spec.clusterIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  });
  if (ips.length > 2) errs.push(bad('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  if (errs.length) return errs;
  if (policy === 'SingleStack') {
    if (ips.length === 2)
      errs.push(
        bad('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"),
      );
    if (families.length === 2)
      errs.push(
        bad('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"),
      );
  }
  ips.forEach((ip, i) => {
    if (ip.includes(':') && i >= families.length) errs.push(bad(`spec.clusterIPs[${i}]`, ips, 'IPv6 is not configured on this cluster'));
  });
  if (errs.length) return errs;
  if (policy === 'RequireDualStack')
    errs.push(bad('spec.ipFamilyPolicy', policy, 'this cluster is not configured for dual-stack services'));
  families.forEach((f, i) => {
    if (f !== 'IPv4') errs.push(bad(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
  });
  ips.forEach((ip, i) => {
    if (ip.includes(':') && i < families.length && families[i] === 'IPv4')
      errs.push(bad(`spec.clusterIPs[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
  });
  return errs;
}
