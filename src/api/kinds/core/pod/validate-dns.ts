// The rules for a pod's spec.dnsConfig, with upstream's paths and messages: the limits come from
// what libc resolvers accept (3 nameservers; 32 search paths of 2048 characters since the expanded
// DNS configuration became the default), and dnsPolicy None needs a nameserver because nothing
// else would give the pod one. The node agent applies the same limits to the merged settings.

import { isIP } from 'node:net';
import type { FieldError } from '../../../../base/errors.js';
import { invalidValue, required, validateDNS1123Subdomain } from '../../../validation/index.js';
import type { PodSpec as PodSpecT } from '../../../gen/types.js';
import type { Unvalidated } from '../../../unvalidated.js';

const MAX_DNS_NAMESERVERS = 3;
const MAX_DNS_SEARCH_PATHS = 32;
const MAX_DNS_SEARCH_LIST_CHARS = 2048;

export function validatePodDnsConfig(spec: Pick<Unvalidated<PodSpecT>, 'dnsConfig' | 'dnsPolicy'>, field: string): FieldError[] {
  const f = `${field}.dnsConfig`;
  const cfg = spec.dnsConfig;
  if (spec.dnsPolicy === 'None') {
    if (!cfg) return [required(f, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if ((cfg.nameservers ?? []).length === 0)
      return [required(`${f}.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!cfg) return [];
  const errs: FieldError[] = [];
  const servers = cfg.nameservers ?? [];
  if (servers.length > MAX_DNS_NAMESERVERS)
    errs.push(invalidValue(`${f}.nameservers`, servers, `must not have more than ${MAX_DNS_NAMESERVERS} nameservers`));
  servers.forEach((s, i) => {
    if (typeof s !== 'string' || isIP(s) === 0)
      errs.push(invalidValue(`${f}.nameservers[${i}]`, s, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  });
  const searches = cfg.searches ?? [];
  if (searches.length > MAX_DNS_SEARCH_PATHS)
    errs.push(invalidValue(`${f}.searches`, searches, `must not have more than ${MAX_DNS_SEARCH_PATHS} search paths`));
  if (searches.join(' ').length > MAX_DNS_SEARCH_LIST_CHARS)
    errs.push(
      invalidValue(
        `${f}.searches`,
        searches,
        `must not have more than ${MAX_DNS_SEARCH_LIST_CHARS} characters (including spaces) in the search list`,
      ),
    );
  // a trailing dot (an absolute name) is allowed
  searches.forEach((s, i) => errs.push(...validateDNS1123Subdomain(String(s).replace(/\.$/, ''), `${f}.searches[${i}]`)));
  (cfg.options ?? []).forEach((o, i) => {
    if (!o.name) errs.push(required(`${f}.options[${i}]`, 'must not be empty'));
  });
  return errs;
}
