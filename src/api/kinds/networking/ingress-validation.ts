// networking.k8s.io/v1 Ingress rules (upstream's ValidateIngressCreate/Update): either rules or a
// default backend, hosts that are DNS names (wildcards allowed, IPs not), paths per pathType, backends
// that name exactly one service (with a port name or number) or resource, TLS hosts and secret names.

import type { FieldError } from '../../../base/errors.js';
import type { HTTPIngressPath, Ingress, IngressBackend, IngressLoadBalancerStatus, TypedLocalObjectReference } from '../../gen/types.js';
import type { Unvalidated, UnvalidatedObject } from '../../unvalidated.js';
import { invalidValue, notSupported, required } from '../../validation/field.js';
import { isDNS1035Label, isDNS1123Subdomain, isValidPathSegmentName } from '../../validation/names.js';
import { isValidPortName, validatePortNumber } from '../../validation/ports.js';
import { isIPAddress, isWildcardDNS1123Subdomain } from './net-checks.js';

type IngressIn = UnvalidatedObject<Ingress>;

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const BAD_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const BAD_SUFFIXES = ['/..', '/.'];
const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

const msgs = (field: string, value: string, list: string[]): FieldError[] => list.map((m) => invalidValue(field, value, m));

export function validateResourceRef(r: Unvalidated<TypedLocalObjectReference>, f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (r.apiGroup !== undefined) errs.push(...msgs(`${f}.apiGroup`, r.apiGroup, isDNS1123Subdomain(r.apiGroup)));
  if (!r.kind) errs.push(required(`${f}.kind`));
  else errs.push(...msgs(`${f}.kind`, r.kind, isValidPathSegmentName(r.kind)));
  if (!r.name) errs.push(required(`${f}.name`));
  else errs.push(...msgs(`${f}.name`, r.name, isValidPathSegmentName(r.name)));
  return errs;
}

function validateBackend(b: Unvalidated<IngressBackend>, f: string): FieldError[] {
  if (b.resource && b.service) return [invalidValue(f, '', 'cannot set both resource and service backends')];
  if (b.resource) return validateResourceRef(b.resource, `${f}.resource`);
  if (!b.service) return [invalidValue(f, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const svc = b.service;
  if (!svc.name) errs.push(required(`${f}.service.name`));
  else errs.push(...msgs(`${f}.service.name`, svc.name, isDNS1035Label(svc.name)));
  const name = svc.port?.name ?? '';
  const num = svc.port?.number ?? 0;
  if (name && num) errs.push(invalidValue(f, '', 'cannot set both port name & port number'));
  else if (name) errs.push(...msgs(`${f}.service.port.name`, name, isValidPortName(name)));
  else if (num) errs.push(...validatePortNumber(num, `${f}.service.port.number`));
  else errs.push(required(f, 'port name or number is required'));
  return errs;
}

function validatePath(p: Unvalidated<HTTPIngressPath>, f: string): FieldError[] {
  if (p.pathType === undefined) return [required(`${f}.pathType`, 'pathType must be specified')];
  const errs: FieldError[] = [];
  const path = p.path ?? '';
  switch (p.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!path.startsWith('/')) errs.push(invalidValue(`${f}.path`, path, 'must be an absolute path'));
      for (const s of BAD_SEQUENCES) if (path.includes(s)) errs.push(invalidValue(`${f}.path`, path, `must not contain '${s}'`));
      for (const s of BAD_SUFFIXES) if (path.endsWith(s)) errs.push(invalidValue(`${f}.path`, path, `cannot end with '${s}'`));
      break;
    case 'ImplementationSpecific':
      if (path && !path.startsWith('/')) errs.push(invalidValue(`${f}.path`, path, 'must be an absolute path'));
      break;
    default:
      errs.push(notSupported(`${f}.pathType`, p.pathType, PATH_TYPES));
  }
  errs.push(...validateBackend(p.backend ?? {}, `${f}.backend`));
  return errs;
}

function validateHost(host: string, f: string): FieldError[] {
  return host.includes('*') ? msgs(f, host, isWildcardDNS1123Subdomain(host)) : msgs(f, host, isDNS1123Subdomain(host));
}

export function validateIngress(ing: IngressIn, old: IngressIn | undefined): FieldError[] {
  const spec = ing.spec ?? {};
  const errs: FieldError[] = [];
  const rules = spec.rules ?? [];
  if (rules.length === 0 && !spec.defaultBackend)
    errs.push(invalidValue('spec', spec.rules ?? null, 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((r, i) => {
    const f = `spec.rules[${i}]`;
    if (r.host) {
      if (isIPAddress(r.host)) errs.push(invalidValue(`${f}.host`, r.host, 'must be a DNS name, not an IP address'));
      errs.push(...validateHost(r.host, `${f}.host`));
    }
    if (r.http) {
      const paths = r.http.paths ?? [];
      if (paths.length === 0) errs.push(required(`${f}.http.paths`));
      paths.forEach((p, j) => errs.push(...validatePath(p, `${f}.http.paths[${j}]`)));
    }
  });
  (spec.tls ?? []).forEach((t, i) => {
    (t.hosts ?? []).forEach((h, j) => errs.push(...validateHost(h, `spec.tls[${i}].hosts[${j}]`)));
    if (t.secretName) errs.push(...msgs(`spec.tls[${i}].secretName`, t.secretName, isDNS1123Subdomain(t.secretName)));
  });
  if (spec.ingressClassName !== undefined)
    errs.push(...msgs('spec.ingressClassName', spec.ingressClassName, isDNS1123Subdomain(spec.ingressClassName)));
  const annotation = ing.metadata.annotations?.[CLASS_ANNOTATION];
  if (!old && annotation !== undefined && spec.ingressClassName !== undefined && annotation !== spec.ingressClassName)
    errs.push(invalidValue(`annotations.${CLASS_ANNOTATION}`, annotation, 'must match `ingressClassName` when both are specified'));
  return errs;
}

export function validateIngressStatus(ing: IngressIn): FieldError[] {
  const errs: FieldError[] = [];
  const lb: Unvalidated<IngressLoadBalancerStatus> = ing.status?.loadBalancer ?? {};
  (lb.ingress ?? []).forEach((e, i) => {
    const f = `status.loadBalancer.ingress[${i}]`;
    if (e.ip && !isIPAddress(e.ip)) errs.push(invalidValue(`${f}.ip`, e.ip, 'must be a valid IP address'));
    if (e.hostname) {
      errs.push(...msgs(`${f}.hostname`, e.hostname, isDNS1123Subdomain(e.hostname)));
      if (isIPAddress(e.hostname)) errs.push(invalidValue(`${f}.hostname`, e.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}
