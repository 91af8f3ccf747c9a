// discovery.k8s.io/v1 EndpointSlice.

import type { FieldError } from '../../../base/errors.js';
import type { EndpointSlice } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import {
  immutable,
  invalidValue,
  notSupported,
  required,
  tooLong,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validatePortNumber,
} from '../../validation/index.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { age, ageColumn, col, listWithMore, nameColumn } from '../common/table.js';
import { PROTOCOLS } from '../core/pod/validate-container.js';

type EndpointSliceIn = UnvalidatedObject<EndpointSlice>;

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'] as const;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function defaultEndpointSlice(s: EndpointSliceIn): void {
  for (const p of s.ports ?? []) p.protocol ??= 'TCP';
}

export function validateEndpointSlice(s: EndpointSliceIn, old: EndpointSliceIn | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const at = s.addressType ?? '';
  if (!at) errs.push(required('addressType'));
  else if (!(ADDRESS_TYPES as readonly string[]).includes(at)) errs.push(notSupported('addressType', at, ADDRESS_TYPES));
  const eps = s.endpoints ?? [];
  if (eps.length > 1000)
    errs.push({ type: 'FieldValueTooMany', field: 'endpoints', value: eps.length, detail: 'must have at most 1000 items' });
  eps.forEach((ep, i) => {
    const f = `endpoints[${i}].addresses`;
    const addrs = ep.addresses ?? [];
    if (addrs.length === 0) errs.push(required(f, 'must contain at least 1 address'));
    else if (addrs.length > 100) errs.push(tooLong(f, 100));
    addrs.forEach((a, j) => {
      if (at === 'IPv4' && !IPV4.test(a)) errs.push(invalidValue(`${f}[${j}]`, a, 'must be a valid IPv4 address'));
      if (at === 'IPv6' && !a.includes(':')) errs.push(invalidValue(`${f}[${j}]`, a, 'must be a valid IPv6 address'));
      if (at === 'FQDN') errs.push(...validateDNS1123Subdomain(a, `${f}[${j}]`));
    });
    if (ep.nodeName) errs.push(...validateDNS1123Subdomain(ep.nodeName, `endpoints[${i}].nodeName`));
  });
  (s.ports ?? []).forEach((p, i) => {
    const f = `ports[${i}]`;
    if (p.name) errs.push(...validateDNS1123Label(p.name, `${f}.name`));
    if (p.port !== undefined) errs.push(...validatePortNumber(p.port, `${f}.port`));
    if (p.protocol !== undefined && !(PROTOCOLS as readonly string[]).includes(p.protocol))
      errs.push(notSupported(`${f}.protocol`, p.protocol, PROTOCOLS));
  });
  if (old) errs.push(...immutable('addressType', s.addressType, old.addressType));
  return errs;
}

function formatSlicePorts(s: EndpointSliceIn): string {
  const ports = s.ports ?? [];
  const items = ports.map((p) => (p.port !== undefined ? String(p.port) : p.name !== undefined ? p.name : '*'));
  return listWithMore(items, items.length, 3, '<unset>');
}

function formatSliceEndpoints(s: EndpointSliceIn): string {
  const items = (s.endpoints ?? []).flatMap((e) => e.addresses ?? []);
  return listWithMore(items, items.length, 3, '<unset>');
}

export const endpointSliceKind = defineKind<EndpointSlice>({
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  listKind: 'EndpointSliceList',
  plural: 'endpointslices',
  singular: 'endpointslice',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.discovery.v1.EndpointSlice',
  subresources: [],
  generation: true,
  hasStatus: false,
  defaults: defaultEndpointSlice,
  validate: validateEndpointSlice,
  table: {
    columns: [
      nameColumn,
      col('AddressType', 'string', 'Type of the addresses.'),
      col('Ports', 'string', 'Ports of the slice.'),
      col('Endpoints', 'string', 'Addresses of the endpoints.'),
      ageColumn,
    ],
    row: (s, now) => [s.metadata.name ?? '', s.addressType ?? '', formatSlicePorts(s), formatSliceEndpoints(s), age(s, now)],
  },
});
