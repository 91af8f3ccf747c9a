// networking.k8s.io/v1 Ingress: stored and validated (no controller in Tandem yet), printed as
// upstream's NAME CLASS HOSTS ADDRESS PORTS AGE, with a status subresource for ingress controllers.

import type { Ingress } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { defineKind, STANDARD_VERBS, statusSub } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';
import { validateIngress, validateIngressStatus } from './ingress-validation.js';

type IngressIn = UnvalidatedObject<Ingress>;

const MAX_HOSTS = 3;
const ADDRESS_WIDTH = 16;

/** Up to three named hosts (rules without a host are skipped), `*` when none. */
function hosts(ing: IngressIn): string {
  const rules = ing.spec?.rules ?? [];
  const list: string[] = [];
  let more = false;
  for (const r of rules) {
    if (list.length === MAX_HOSTS) more = true;
    if (!more && r.host) list.push(r.host);
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${rules.length - MAX_HOSTS} more...` : list.join(',');
}

/** The load balancer's IPs or hostnames, sorted, cut to upstream's column width. */
function address(ing: IngressIn): string {
  const set = new Set<string>();
  for (const e of ing.status?.loadBalancer?.ingress ?? []) {
    if (e.ip) set.add(e.ip);
    else if (e.hostname) set.add(e.hostname);
  }
  const r = [...set].sort().join(',');
  return r.length > ADDRESS_WIDTH ? `${r.slice(0, ADDRESS_WIDTH - 3)}...` : r;
}

export const ingressKind = defineKind<Ingress>({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'Ingress',
  listKind: 'IngressList',
  plural: 'ingresses',
  singular: 'ingress',
  shortNames: ['ing'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.networking.v1.Ingress',
  subresources: [statusSub('networking.k8s.io', 'Ingress')],
  generation: true,
  hasStatus: true,
  validate: validateIngress,
  validateStatus: validateIngressStatus,
  table: {
    columns: [
      nameColumn,
      col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
      col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
      col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
      col('Ports', 'string', 'Ports of TLS configurations that open'),
      ageColumn,
    ],
    row: (ing, now) => [
      ing.metadata.name ?? '',
      ing.spec?.ingressClassName ?? '<none>',
      hosts(ing),
      address(ing),
      (ing.spec?.tls ?? []).length > 0 ? '80, 443' : '80',
      age(ing, now),
    ],
  },
});
