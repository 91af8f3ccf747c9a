// core/v1 Endpoints.

import type { FieldError } from '../../../base/errors.js';
import type { Endpoints } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { notSupported, required, validateDNS1123Label, validatePortNumber } from '../../validation/index.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';
import { PROTOCOLS } from './pod/validate-container.js';

type EndpointsIn = UnvalidatedObject<Endpoints>;

export function defaultEndpoints(ep: EndpointsIn): void {
  for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) p.protocol ??= 'TCP';
}

export function validateEndpoints(ep: EndpointsIn): FieldError[] {
  const errs: FieldError[] = [];
  (ep.subsets ?? []).forEach((ss, i) => {
    const f = `subsets[${i}]`;
    (ss.addresses ?? []).forEach((a, j) => {
      if (!a.ip) errs.push(required(`${f}.addresses[${j}].ip`));
    });
    (ss.notReadyAddresses ?? []).forEach((a, j) => {
      if (!a.ip) errs.push(required(`${f}.notReadyAddresses[${j}].ip`));
    });
    const ports = ss.ports ?? [];
    ports.forEach((p, j) => {
      const pf = `${f}.ports[${j}]`;
      if (ports.length > 1 && !p.name) errs.push(required(`${pf}.name`));
      if (p.name) errs.push(...validateDNS1123Label(p.name, `${pf}.name`));
      errs.push(...validatePortNumber(p.port, `${pf}.port`));
      if (!p.protocol) errs.push(required(`${pf}.protocol`));
      else if (!(PROTOCOLS as readonly string[]).includes(p.protocol)) errs.push(notSupported(`${pf}.protocol`, p.protocol, PROTOCOLS));
    });
  });
  return errs;
}

const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** `10.0.0.1:80,10.0.0.2:80 + 3 more...`; `<none>` without subsets. */
export function formatEndpoints(ep: EndpointsIn): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let count = 0;
  for (const ss of subsets) {
    const addrs = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      count += addrs.length;
      for (const a of addrs) if (list.length < max) list.push(a.ip ?? '');
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) if (list.length < max) list.push(hostPort(a.ip ?? '', p.port ?? 0));
    }
  }
  const text = list.join(',');
  return count > max ? `${text} + ${count - max} more...` : text;
}

export const endpointsKind = defineKind<Endpoints>({
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  listKind: 'EndpointsList',
  plural: 'endpoints',
  singular: 'endpoints',
  shortNames: ['ep'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.core.v1.Endpoints',
  subresources: [],
  generation: false,
  hasStatus: false,
  defaults: defaultEndpoints,
  validate: validateEndpoints,
  table: {
    columns: [nameColumn, col('Endpoints', 'string', 'Addresses and ports of the endpoints.'), ageColumn],
    row: (ep, now) => [ep.metadata.name ?? '', formatEndpoints(ep), age(ep, now)],
  },
});
