// Container rules shared by pods and pod templates.

import type { FieldError } from '../../../../base/errors.js';
import {
  duplicate,
  invalidValue,
  nonNegative,
  notSupported,
  positive,
  required,
  quantityOrNaN,
  validateDNS1123Label,
  validatePortName,
  validatePortNumber,
  validateQuantity,
  isValidPortNum,
  isQualifiedName,
} from '../../../validation/index.js';
import type { Container as ContainerT, LifecycleHandler, Probe as ProbeT } from '../../../gen/types.js';
import type { Unvalidated } from '../../../unvalidated.js';

type Container = Unvalidated<ContainerT>;
type Probe = Unvalidated<ProbeT>;
type ProbeHandler = Unvalidated<LifecycleHandler & Pick<ProbeT, 'grpc'>>;

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;

function validatePortRef(port: unknown, field: string): FieldError[] {
  if (typeof port === 'string') return validatePortName(port, field);
  if (typeof port === 'number') return isValidPortNum(port) ? [] : [invalidValue(field, port, 'must be between 1 and 65535, inclusive')];
  return [required(field)];
}

function validateHandler(h: ProbeHandler, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const set = (['exec', 'httpGet', 'tcpSocket', 'grpc'] as const).filter((k) => h[k] !== undefined);
  if (set.length === 0) errs.push(required(field, 'must specify a handler type'));
  else if (set.length > 1)
    errs.push({ type: 'FieldValueForbidden', field: `${field}.${set[1]}`, detail: 'may not specify more than 1 handler type' });
  if (h.httpGet) {
    errs.push(...validatePortRef(h.httpGet.port, `${field}.httpGet.port`));
    const scheme = h.httpGet.scheme;
    if (scheme !== undefined && scheme !== 'HTTP' && scheme !== 'HTTPS')
      errs.push(notSupported(`${field}.httpGet.scheme`, scheme, ['HTTP', 'HTTPS']));
  }
  if (h.tcpSocket) errs.push(...validatePortRef(h.tcpSocket.port, `${field}.tcpSocket.port`));
  if (h.exec && (h.exec.command ?? []).length === 0) errs.push(required(`${field}.exec.command`));
  if (h.grpc) errs.push(...validatePortRef(h.grpc.port, `${field}.grpc.port`));
  return errs;
}

function validateProbe(p: Probe | undefined, field: string, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  if (!p) return [];
  const errs = validateHandler(p, field);
  errs.push(...nonNegative(`${field}.initialDelaySeconds`, p.initialDelaySeconds));
  errs.push(...nonNegative(`${field}.timeoutSeconds`, p.timeoutSeconds));
  errs.push(...nonNegative(`${field}.periodSeconds`, p.periodSeconds));
  errs.push(...nonNegative(`${field}.successThreshold`, p.successThreshold));
  errs.push(...nonNegative(`${field}.failureThreshold`, p.failureThreshold));
  if (kind !== 'readiness' && p.successThreshold !== undefined && p.successThreshold !== 1) {
    errs.push(invalidValue(`${field}.successThreshold`, p.successThreshold, 'must be 1'));
  }
  if (kind === 'readiness' && p.terminationGracePeriodSeconds !== undefined) {
    errs.push({
      type: 'FieldValueInvalid',
      field: `${field}.terminationGracePeriodSeconds`,
      value: p.terminationGracePeriodSeconds,
      detail: 'must not be set for readinessProbes',
    });
  }
  errs.push(...positive(`${field}.terminationGracePeriodSeconds`, p.terminationGracePeriodSeconds));
  return errs;
}

function validateResources(c: Container, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const limits = c.resources?.limits ?? {},
    requests = c.resources?.requests ?? {};
  for (const [k, v] of Object.entries(limits)) {
    for (const m of isQualifiedName(k)) errs.push(invalidValue(`${field}.limits[${k}]`, k, m));
    errs.push(...validateQuantity(v, `${field}.limits[${k}]`));
  }
  for (const [k, v] of Object.entries(requests)) {
    for (const m of isQualifiedName(k)) errs.push(invalidValue(`${field}.requests[${k}]`, k, m));
    const qErrs = validateQuantity(v, `${field}.requests[${k}]`);
    errs.push(...qErrs);
    const limit = limits[k];
    if (qErrs.length === 0 && limit !== undefined && quantityOrNaN(v) > quantityOrNaN(limit)) {
      errs.push(invalidValue(`${field}.requests[${k}]`, String(v), `must be less than or equal to ${k} limit of ${String(limit)}`));
    }
  }
  return errs;
}

/** One container at `field` (e.g. `spec.containers[0]`). `init` relaxes nothing today but marks init containers. */
export function validateContainer(c: Container, field: string, init: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(required(`${field}.name`));
  else errs.push(...validateDNS1123Label(c.name, `${field}.name`));
  if (!c.image) errs.push(required(`${field}.image`));
  const pp = c.imagePullPolicy;
  if (pp !== undefined && !['Always', 'IfNotPresent', 'Never'].includes(pp)) {
    errs.push(notSupported(`${field}.imagePullPolicy`, pp, ['Always', 'IfNotPresent', 'Never']));
  }
  const tmp = c.terminationMessagePolicy;
  if (tmp !== undefined && tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    errs.push(notSupported(`${field}.terminationMessagePolicy`, tmp, ['File', 'FallbackToLogsOnError']));
  }
  const portNames = new Set<string>();
  (c.ports ?? []).forEach((p, i) => {
    const pf = `${field}.ports[${i}]`;
    if (p.name) {
      errs.push(...validatePortName(p.name, `${pf}.name`));
      if (portNames.has(p.name)) errs.push(duplicate(`${pf}.name`, p.name));
      portNames.add(p.name);
    }
    if (p.containerPort === undefined || p.containerPort === 0) errs.push(required(`${pf}.containerPort`));
    else errs.push(...validatePortNumber(p.containerPort, `${pf}.containerPort`));
    if (p.hostPort !== undefined && p.hostPort !== 0) errs.push(...validatePortNumber(p.hostPort, `${pf}.hostPort`));
    if (p.protocol === undefined || p.protocol === '') errs.push(required(`${pf}.protocol`));
    else if (!(PROTOCOLS as readonly string[]).includes(p.protocol)) errs.push(notSupported(`${pf}.protocol`, p.protocol, PROTOCOLS));
  });
  const envNames = c.env ?? [];
  envNames.forEach((e, i) => {
    if (!e.name) errs.push(required(`${field}.env[${i}].name`));
  });
  errs.push(...validateResources(c, `${field}.resources`));
  if (init) {
    const always = c.restartPolicy === 'Always';
    if (c.restartPolicy !== undefined && !always) errs.push(notSupported(`${field}.restartPolicy`, c.restartPolicy, ['Always']));
    if (!always) {
      for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        if (c[k])
          errs.push({
            type: 'FieldValueForbidden',
            field: `${field}.${k}`,
            detail: 'may not be set for init containers without restartPolicy=Always',
          });
      }
    }
  } else if (c.restartPolicy !== undefined) {
    errs.push({ type: 'FieldValueForbidden', field: `${field}.restartPolicy`, detail: 'may not be set for non-init containers' });
  }
  errs.push(...validateProbe(c.livenessProbe, `${field}.livenessProbe`, 'liveness'));
  errs.push(...validateProbe(c.readinessProbe, `${field}.readinessProbe`, 'readiness'));
  errs.push(...validateProbe(c.startupProbe, `${field}.startupProbe`, 'startup'));
  if (c.lifecycle?.postStart) errs.push(...validateHandler(c.lifecycle.postStart, `${field}.lifecycle.postStart`));
  if (c.lifecycle?.preStop) errs.push(...validateHandler(c.lifecycle.preStop, `${field}.lifecycle.preStop`));
  return errs;
}
