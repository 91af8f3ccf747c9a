// networking.k8s.io/v1 NetworkPolicy: stored and validated (enforcement comes with the networking
// work). Defaults as upstream: port protocol TCP, policyTypes Ingress (+ Egress when egress rules exist).

import type { FieldError } from '../../../base/errors.js';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../../gen/types.js';
import { formatLabelSelector } from '../../label-selector.js';
import type { Unvalidated, UnvalidatedObject } from '../../unvalidated.js';
import { forbidden, invalidValue, notSupported, required } from '../../validation/field.js';
import { validateLabelSelector } from '../../validation/label-selector.js';
import { isValidPortName, validatePortNumber } from '../../validation/ports.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';
import { parseCidr, strictSubset } from './net-checks.js';

type NetworkPolicyIn = UnvalidatedObject<NetworkPolicy>;

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const POLICY_TYPES = ['Ingress', 'Egress'];

function defaultNetworkPolicy(np: NetworkPolicyIn): void {
  const spec = (np.spec ??= {});
  spec.podSelector ??= {};
  for (const r of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) for (const p of r.ports ?? []) p.protocol ??= 'TCP';
  if (!spec.policyTypes?.length) spec.policyTypes = (spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function validatePort(p: Unvalidated<NetworkPolicyPort>, f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${f}.protocol`, p.protocol, PROTOCOLS));
  if (p.port === undefined) {
    if (p.endPort !== undefined) errs.push(invalidValue(`${f}.endPort`, p.endPort, 'may not be specified when `port` is not specified'));
  } else if (typeof p.port === 'number') {
    errs.push(...validatePortNumber(p.port, `${f}.port`));
    if (p.endPort !== undefined) {
      if (p.endPort < p.port) errs.push(invalidValue(`${f}.endPort`, p.endPort, 'must be greater than or equal to `port`'));
      errs.push(...validatePortNumber(p.endPort, `${f}.endPort`));
    }
  } else {
    if (p.endPort !== undefined) errs.push(invalidValue(`${f}.endPort`, p.endPort, 'may not be specified when `port` is non-numeric'));
    for (const m of isValidPortName(String(p.port))) errs.push(invalidValue(`${f}.port`, p.port, m));
  }
  return errs;
}

function validatePeer(peer: Unvalidated<NetworkPolicyPeer>, f: string): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  if (peer.podSelector) {
    n++;
    errs.push(...validateLabelSelector(peer.podSelector, `${f}.podSelector`));
  }
  if (peer.namespaceSelector) {
    n++;
    errs.push(...validateLabelSelector(peer.namespaceSelector, `${f}.namespaceSelector`));
  }
  if (peer.ipBlock) {
    n++;
    const b = peer.ipBlock;
    const cidr = b.cidr ? parseCidr(b.cidr) : undefined;
    if (!b.cidr) errs.push(required(`${f}.ipBlock.cidr`));
    else if (!cidr) errs.push(invalidValue(`${f}.ipBlock.cidr`, b.cidr, 'not a valid CIDR'));
    else
      for (const [i, e] of (b.except ?? []).entries()) {
        const ef = `${f}.ipBlock.except[${i}]`;
        const ec = parseCidr(e);
        if (!ec) {
          errs.push(invalidValue(ef, e, 'not a valid CIDR'));
          break;
        }
        if (!strictSubset(cidr, ec)) errs.push(invalidValue(ef, e, 'must be a strict subset of `cidr`'));
      }
  }
  if (n === 0) errs.push(required(f, 'must specify a peer'));
  else if (n > 1 && peer.ipBlock) errs.push(forbidden(f, 'may not specify both ipBlock and another peer'));
  return errs;
}

function validateNetworkPolicy(np: NetworkPolicyIn): FieldError[] {
  const spec = np.spec ?? {};
  const errs = validateLabelSelector(spec.podSelector, 'spec.podSelector');
  (spec.ingress ?? []).forEach((r, i) => {
    (r.ports ?? []).forEach((p, j) => errs.push(...validatePort(p, `spec.ingress[${i}].ports[${j}]`)));
    (r.from ?? []).forEach((p, j) => errs.push(...validatePeer(p, `spec.ingress[${i}].from[${j}]`)));
  });
  (spec.egress ?? []).forEach((r, i) => {
    (r.ports ?? []).forEach((p, j) => errs.push(...validatePort(p, `spec.egress[${i}].ports[${j}]`)));
    (r.to ?? []).forEach((p, j) => errs.push(...validatePeer(p, `spec.egress[${i}].to[${j}]`)));
  });
  const types = spec.policyTypes ?? [];
  if (types.length > POLICY_TYPES.length) errs.push(invalidValue('spec.policyTypes', types, 'may not specify more than two policyTypes'));
  else types.forEach((t, i) => POLICY_TYPES.includes(t) || errs.push(notSupported(`spec.policyTypes[${i}]`, t, POLICY_TYPES)));
  return errs;
}

export const networkPolicyKind = defineKind<NetworkPolicy>({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'NetworkPolicy',
  listKind: 'NetworkPolicyList',
  plural: 'networkpolicies',
  singular: 'networkpolicy',
  shortNames: ['netpol'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.networking.v1.NetworkPolicy',
  subresources: [],
  generation: true,
  hasStatus: false,
  defaults: defaultNetworkPolicy,
  validate: validateNetworkPolicy,
  table: {
    columns: [nameColumn, col('Pod-Selector', 'string', 'Label query selecting the pods the policy applies to'), ageColumn],
    row: (np, now) => [np.metadata.name ?? '', formatLabelSelector(np.spec?.podSelector), age(np, now)],
  },
});
