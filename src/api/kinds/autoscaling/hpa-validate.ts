// Validation of autoscaling/v2 HorizontalPodAutoscaler, with upstream's rules and messages: the
// scale target, replica bounds (minReplicas 0 needs the HPAScaleToZero alpha gate, which Tandem does
// not enable), each metric source with its target, and the scaling behaviour's policies and windows.

import type { FieldError } from '../../../base/errors.js';
import type {
  AutoscalingV2CrossVersionObjectReference,
  AutoscalingV2HorizontalPodAutoscaler,
  HPAScalingRules,
  MetricIdentifier,
  MetricSpec,
  MetricTarget,
} from '../../gen/types.js';
import type { Unvalidated, UnvalidatedObject } from '../../unvalidated.js';
import {
  forbidden,
  invalidValue,
  nonNegative,
  isQualifiedName,
  isValidPathSegmentName,
  notSupported,
  quantityOrNaN,
  required,
  validateDNS1123Label,
  validateLabelSelector,
  validateQuantity,
} from '../../validation/index.js';

type Hpa = UnvalidatedObject<AutoscalingV2HorizontalPodAutoscaler>;

const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
const SOURCE_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'] as const;
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'] as const;
const POLICY_TYPES = ['Percent', 'Pods'] as const;
const FIELD_OF: Readonly<Record<string, keyof MetricSpec>> = {
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
  External: 'external',
  ContainerResource: 'containerResource',
};
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

function pathSegment(field: string, v: string): FieldError[] {
  return isValidPathSegmentName(v).map((m) => invalidValue(field, v, m));
}

function validateObjectReference(ref: Unvalidated<AutoscalingV2CrossVersionObjectReference> | undefined, p: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!ref?.kind) errs.push(required(`${p}.kind`));
  else errs.push(...pathSegment(`${p}.kind`, ref.kind));
  if (!ref?.name) errs.push(required(`${p}.name`));
  else errs.push(...pathSegment(`${p}.name`, ref.name));
  return errs;
}

function validateResourceName(name: string, field: string): FieldError[] {
  if (STANDARD_CONTAINER_RESOURCES.has(name) || name.startsWith('hugepages-')) return [];
  if (!name.includes('/')) return [invalidValue(field, name, 'must be a standard resource for containers')];
  return isQualifiedName(name).map((m) => invalidValue(field, name, m));
}

const positiveQuantity = (field: string, v: unknown): FieldError[] => {
  const bad = validateQuantity(v, field, false);
  if (bad.length) return bad;
  return quantityOrNaN(v as string) > 0 ? [] : [invalidValue(field, v, 'must be positive')];
};

function validateTarget(t: Unvalidated<MetricTarget> | undefined, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = t?.type;
  if (!type) errs.push(required(`${p}.type`, 'must specify a metric target type'));
  if (type !== 'Utilization' && type !== 'Value' && type !== 'AverageValue')
    errs.push(invalidValue(`${p}.type`, type ?? '', 'must be either Utilization, Value, or AverageValue'));
  if (t?.value !== undefined) errs.push(...positiveQuantity(`${p}.value`, t.value));
  if (t?.averageValue !== undefined) errs.push(...positiveQuantity(`${p}.averageValue`, t.averageValue));
  if (t?.averageUtilization !== undefined && t.averageUtilization < 1)
    errs.push(invalidValue(`${p}.averageUtilization`, t.averageUtilization, 'must be greater than 0'));
  return errs;
}

function validateIdentifier(id: Unvalidated<MetricIdentifier> | undefined, p: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!id?.name) errs.push(required(`${p}.name`, 'must specify a metric name'));
  else errs.push(...pathSegment(`${p}.name`, id.name));
  if (id?.selector) errs.push(...validateLabelSelector(id.selector, `${p}.selector`));
  return errs;
}

function validateSource(m: Unvalidated<MetricSpec>, key: keyof MetricSpec, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const q = `${p}.${key}`;
  if (key === 'resource' || key === 'containerResource') {
    const src = key === 'resource' ? m.resource : m.containerResource;
    if (!src?.name) errs.push(required(`${q}.name`, 'must specify a resource name'));
    else errs.push(...validateResourceName(src.name, `${q}.name`));
    if (key === 'containerResource') {
      const c = m.containerResource?.container;
      if (!c) errs.push(required(`${q}.container`, 'must specify a container'));
      else errs.push(...validateDNS1123Label(c, `${q}.container`));
    }
    errs.push(...validateTarget(src?.target, `${q}.target`));
    if (src?.target?.averageUtilization === undefined && src?.target?.averageValue === undefined)
      errs.push(required(`${q}.target.averageUtilization`, 'must set either a target raw value or a target utilization'));
    if (src?.target?.averageUtilization !== undefined && src.target.averageValue !== undefined)
      errs.push(forbidden(`${q}.target.averageValue`, 'may not set both a target raw value and a target utilization'));
  } else if (key === 'pods') {
    errs.push(...validateIdentifier(m.pods?.metric, `${q}.metric`));
    errs.push(...validateTarget(m.pods?.target, `${q}.target`));
    if (m.pods?.target?.averageValue === undefined)
      errs.push(required(`${q}.target.averageValue`, 'must specify a positive target averageValue'));
  } else if (key === 'object') {
    errs.push(...validateObjectReference(m.object?.describedObject, `${q}.describedObject`));
    errs.push(...validateIdentifier(m.object?.metric, `${q}.metric`));
    errs.push(...validateTarget(m.object?.target, `${q}.target`));
    if (m.object?.target?.value === undefined && m.object?.target?.averageValue === undefined)
      errs.push(required(`${q}.target.averageValue`, 'must set either a target value or averageValue'));
  } else if (key === 'external') {
    errs.push(...validateIdentifier(m.external?.metric, `${q}.metric`));
    errs.push(...validateTarget(m.external?.target, `${q}.target`));
    const t = m.external?.target;
    if (t?.value === undefined && t?.averageValue === undefined)
      errs.push(required(`${q}.target.averageValue`, 'must set either a target value for metric or a per-pod target'));
    if (t?.value !== undefined && t.averageValue !== undefined)
      errs.push(forbidden(`${q}.target.value`, 'may not set both a target value for metric and a per-pod target'));
  }
  return errs;
}

function validateMetric(m: Unvalidated<MetricSpec>, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = m.type ?? '';
  if (type === '') errs.push(required(`${p}.type`, 'must specify a metric source type'));
  const expected = FIELD_OF[type];
  if (!expected) errs.push(notSupported(`${p}.type`, type, SOURCE_TYPES));
  const present = (Object.values(FIELD_OF) as Array<keyof MetricSpec>).filter((k) => m[k] !== undefined && m[k] !== null);
  if (present[0]) errs.push(...validateSource(m, present[0], p));
  if (expected && m[expected] === undefined)
    errs.push(required(`${p}.${expected}`, 'must populate information for the given metric source'));
  if (present.length > 1) {
    for (const k of present) if (k !== expected) errs.push(forbidden(`${p}.${k}`, 'must populate the given metric source only'));
  }
  return errs;
}

function validateRules(r: Unvalidated<HPAScalingRules> | undefined, p: string): FieldError[] {
  if (!r) return [];
  const errs: FieldError[] = [];
  const w = r.stabilizationWindowSeconds;
  if (w !== undefined && w < 0) errs.push(invalidValue(`${p}.stabilizationWindowSeconds`, w, 'must be greater than or equal to zero'));
  if (w !== undefined && w > MAX_STABILIZATION_WINDOW_SECONDS)
    errs.push(invalidValue(`${p}.stabilizationWindowSeconds`, w, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  if (r.selectPolicy !== undefined && !(SELECT_POLICIES as readonly string[]).includes(r.selectPolicy))
    errs.push(notSupported(`${p}.selectPolicy`, r.selectPolicy, SELECT_POLICIES));
  const policies = r.policies ?? [];
  if (policies.length === 0) errs.push(required(`${p}.policies`, 'must specify at least one Policy'));
  policies.forEach((pol, i) => {
    const q = `${p}.policies[${i}]`;
    if (!(POLICY_TYPES as readonly string[]).includes(pol.type ?? '')) errs.push(notSupported(`${q}.type`, pol.type ?? '', POLICY_TYPES));
    if ((pol.value ?? 0) <= 0) errs.push(invalidValue(`${q}.value`, pol.value ?? 0, 'must be greater than zero'));
    const period = pol.periodSeconds ?? 0;
    if (period <= 0) errs.push(invalidValue(`${q}.periodSeconds`, period, 'must be greater than zero'));
    if (period > MAX_PERIOD_SECONDS)
      errs.push(invalidValue(`${q}.periodSeconds`, period, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  });
  return errs;
}

export function validateHpa(hpa: Hpa): FieldError[] {
  const spec = hpa.spec ?? {};
  const errs: FieldError[] = [];
  const min = spec.minReplicas;
  if (min !== undefined && min < 1) errs.push(invalidValue('spec.minReplicas', min, 'must be greater than or equal to 1'));
  const max = spec.maxReplicas ?? 0;
  if (max < 1) errs.push(invalidValue('spec.maxReplicas', max, 'must be greater than 0'));
  if (min !== undefined && max < min) errs.push(invalidValue('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  const refErrs = validateObjectReference(spec.scaleTargetRef, 'spec.scaleTargetRef');
  if (refErrs.length) errs.push(...refErrs);
  else (spec.metrics ?? []).forEach((m, i) => errs.push(...validateMetric(m, `spec.metrics[${i}]`)));
  errs.push(...validateRules(spec.behavior?.scaleUp, 'spec.behavior.scaleUp'));
  errs.push(...validateRules(spec.behavior?.scaleDown, 'spec.behavior.scaleDown'));
  return errs;
}

export function validateHpaStatus(hpa: Hpa): FieldError[] {
  const st = hpa.status ?? {};
  const errs: FieldError[] = [];
  errs.push(...nonNegative('status.currentReplicas', st.currentReplicas));
  errs.push(...nonNegative('status.desiredReplicas', st.desiredReplicas));
  return errs;
}
