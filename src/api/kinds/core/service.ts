// core/v1 Service. clusterIP and nodePort allocation belong to the API server, not to this file.

import type { FieldError } from '../../../base/errors.js';
import {
  duplicate,
  forbidden,
  immutable,
  notSupported,
  required,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateLabels,
  validatePortName,
  validatePortNumber,
} from '../../validation/index.js';
import { defineKind, STANDARD_VERBS, statusSub } from '../common/define.js';
import { PROTOCOLS } from './pod/validate-container.js';
import { serviceTable } from './service-printer.js';
import type { Service } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';

type ServiceIn = UnvalidatedObject<Service>;

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;

export function defaultService(svc: ServiceIn): void {
  const spec = (svc.spec ??= {});
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = (spec.sessionAffinityConfig ??= {});
    const cip = (cfg.clientIP ??= {});
    cip.timeoutSeconds ??= 10800;
  }
  for (const p of spec.ports ?? []) {
    p.protocol ??= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (spec.type === 'ExternalName') return;
  spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  spec.ipFamilyPolicy ??= 'SingleStack';
  spec.ipFamilies ??= ['IPv4'];
  if (spec.clusterIP && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
}

export function validateService(svc: ServiceIn, old: ServiceIn | undefined): FieldError[] {
  const spec = svc.spec ?? {};
  const errs: FieldError[] = [];
  const type = spec.type ?? '';
  if (!(TYPES as readonly string[]).includes(type)) errs.push(notSupported('spec.type', type, TYPES));
  const headless = spec.clusterIP === 'None';
  const ports = spec.ports ?? [];
  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(required('spec.ports'));
  if (type === 'ExternalName') {
    if (!spec.externalName) errs.push(required('spec.externalName'));
    else errs.push(...validateDNS1123Subdomain(spec.externalName.replace(/\.$/, ''), 'spec.externalName'));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const f = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) errs.push(required(`${f}.name`));
    if (p.name) {
      errs.push(...validateDNS1123Label(p.name, `${f}.name`));
      if (names.has(p.name)) errs.push(duplicate(`${f}.name`, p.name));
      names.add(p.name);
    }
    errs.push(...validatePortNumber(p.port, `${f}.port`));
    if (!p.protocol) errs.push(required(`${f}.protocol`));
    else if (!(PROTOCOLS as readonly string[]).includes(p.protocol)) errs.push(notSupported(`${f}.protocol`, p.protocol, PROTOCOLS));
    if (typeof p.targetPort === 'string') errs.push(...validatePortName(p.targetPort, `${f}.targetPort`));
    else if (p.targetPort !== undefined) errs.push(...validatePortNumber(p.targetPort, `${f}.targetPort`));
    if (p.nodePort) {
      if (type === 'ClusterIP') errs.push(forbidden(`${f}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      else errs.push(...validatePortNumber(p.nodePort, `${f}.nodePort`));
    }
  });
  const sa = spec.sessionAffinity;
  if (sa !== undefined && sa !== 'ClientIP' && sa !== 'None') errs.push(notSupported('spec.sessionAffinity', sa, ['ClientIP', 'None']));
  for (const [k, v, valid] of [
    ['internalTrafficPolicy', spec.internalTrafficPolicy, ['Cluster', 'Local']],
    ['externalTrafficPolicy', spec.externalTrafficPolicy, ['Cluster', 'Local']],
  ] as const) {
    if (v !== undefined && !(valid as readonly string[]).includes(v)) errs.push(notSupported(`spec.${k}`, v, valid));
  }
  if (spec.externalTrafficPolicy && type !== 'NodePort' && type !== 'LoadBalancer') {
    errs.push({
      type: 'FieldValueInvalid',
      field: 'spec.externalTrafficPolicy',
      value: spec.externalTrafficPolicy,
      detail: 'may only be set for externally-accessible services',
    });
  }
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (old && type !== 'ExternalName' && old.spec?.clusterIP) {
    errs.push(...immutable('spec.clusterIP', spec.clusterIP, old.spec.clusterIP));
  }
  return errs;
}

export const serviceKind = defineKind<Service>({
  group: '',
  version: 'v1',
  kind: 'Service',
  listKind: 'ServiceList',
  plural: 'services',
  singular: 'service',
  shortNames: ['svc'],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.core.v1.Service',
  subresources: [statusSub('', 'Service')],
  generation: false,
  hasStatus: true,
  nameRule: 'dns1035-label',
  defaults: defaultService,
  validate: validateService,
  table: serviceTable,
  fieldSelectors: {
    'spec.clusterIP': (s) => s.spec?.clusterIP ?? '',
    'spec.type': (s) => s.spec?.type ?? '',
  },
});
