// PodSpec and pod-template rules shared by Pods, Deployments, ReplicaSets, DaemonSets and Jobs.

import type { FieldError } from '../../../../base/errors.js';
import {
  duplicate,
  invalidValue,
  nonNegative,
  notSupported,
  positive,
  required,
  validateAnnotations,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateLabelName,
  validateLabels,
  validateLabelValue,
} from '../../../validation/index.js';
import type { PodSpec as PodSpecT, PodTemplateSpec as PodTemplateSpecT, Toleration as TolerationT } from '../../../gen/types.js';
import type { Unvalidated } from '../../../unvalidated.js';
import { validateContainer } from './validate-container.js';
import { validatePodDnsConfig } from './validate-dns.js';
import { validateHostProcess, validatePodOS } from './validate-os.js';

type PodSpec = Unvalidated<PodSpecT>;
type PodTemplateSpec = Unvalidated<PodTemplateSpecT>;
type Toleration = Unvalidated<TolerationT>;

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'] as const;
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'] as const;
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

export function validateTolerations(tols: readonly Toleration[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  (tols ?? []).forEach((t, i) => {
    const p = `${field}[${i}]`;
    if (t.key) errs.push(...validateLabelName(t.key, `${p}.key`));
    const op = t.operator ?? 'Equal';
    if (!t.key && op !== 'Exists')
      errs.push(
        invalidValue(`${p}.operator`, op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'),
      );
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(invalidValue(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op === 'Equal') {
      if (t.value) errs.push(...validateLabelValue(t.value, `${p}.value`));
    } else if (op === 'Exists') {
      if (t.value) errs.push(invalidValue(`${p}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
    } else errs.push(notSupported(`${p}.operator`, op, ['Equal', 'Exists']));
    if (t.effect && !(TAINT_EFFECTS as readonly string[]).includes(t.effect))
      errs.push(notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}

/** The PodSpec at `field` (`spec` for pods, `spec.template.spec` for templates). */
export function validatePodSpec(spec: PodSpec | undefined, field: string): FieldError[] {
  if (!spec) return [required(field)];
  const errs: FieldError[] = [];
  const volumeNames = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    const p = `${field}.volumes[${i}].name`;
    if (!v.name) errs.push(required(p));
    else {
      errs.push(...validateDNS1123Label(v.name, p));
      if (volumeNames.has(v.name)) errs.push(duplicate(p, v.name));
      volumeNames.add(v.name);
    }
  });
  const names = new Set<string>();
  const eachContainer = (list: PodSpec['containers'], key: string, init: boolean) =>
    (list ?? []).forEach((c, i) => {
      const p = `${field}.${key}[${i}]`;
      errs.push(...validateContainer(c, p, init));
      if (c.name) {
        if (names.has(c.name)) errs.push(duplicate(`${p}.name`, c.name));
        names.add(c.name);
      }
      const mounts = new Set<string>();
      (c.volumeMounts ?? []).forEach((m, j) => {
        const mp = `${p}.volumeMounts[${j}]`;
        if (!m.name) errs.push(required(`${mp}.name`));
        if (!m.mountPath) errs.push(required(`${mp}.mountPath`));
        else if (mounts.has(m.mountPath)) errs.push(invalidValue(`${mp}.mountPath`, m.mountPath, 'must be unique'));
        if (m.mountPath) mounts.add(m.mountPath);
      });
    });
  eachContainer(spec.initContainers, 'initContainers', true);
  if ((spec.containers ?? []).length === 0) errs.push(required(`${field}.containers`));
  eachContainer(spec.containers, 'containers', false);

  const rp = spec.restartPolicy;
  if (rp === undefined || rp === '') errs.push(required(`${field}.restartPolicy`));
  else if (!(RESTART_POLICIES as readonly string[]).includes(rp)) errs.push(notSupported(`${field}.restartPolicy`, rp, RESTART_POLICIES));
  const dp = spec.dnsPolicy;
  if (dp === undefined || dp === '') errs.push(required(`${field}.dnsPolicy`));
  else if (!(DNS_POLICIES as readonly string[]).includes(dp)) errs.push(notSupported(`${field}.dnsPolicy`, dp, DNS_POLICIES));
  errs.push(...validatePodDnsConfig(spec, field));
  errs.push(...validateLabels(spec.nodeSelector, `${field}.nodeSelector`));
  if (spec.serviceAccountName) errs.push(...validateDNS1123Subdomain(spec.serviceAccountName, `${field}.serviceAccountName`));
  if (spec.nodeName) errs.push(...validateDNS1123Subdomain(spec.nodeName, `${field}.nodeName`));
  if (spec.priorityClassName) errs.push(...validateDNS1123Subdomain(spec.priorityClassName, `${field}.priorityClassName`));
  if (spec.runtimeClassName) errs.push(...validateDNS1123Subdomain(spec.runtimeClassName, `${field}.runtimeClassName`));
  errs.push(...positive(`${field}.activeDeadlineSeconds`, spec.activeDeadlineSeconds));
  errs.push(...nonNegative(`${field}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds));
  errs.push(...validateTolerations(spec.tolerations, `${field}.tolerations`));
  const pp = spec.preemptionPolicy;
  if (pp !== undefined && pp !== 'PreemptLowerPriority' && pp !== 'Never')
    errs.push(notSupported(`${field}.preemptionPolicy`, pp, ['Never', 'PreemptLowerPriority']));
  errs.push(...validateHostProcess(spec, field));
  errs.push(...validatePodOS(spec, field));
  return errs;
}

/** A pod template at `field` (`spec.template`): its metadata labels/annotations and its spec. */
export function validatePodTemplate(t: PodTemplateSpec | undefined, field: string): FieldError[] {
  if (!t) return [required(field)];
  const errs: FieldError[] = [];
  errs.push(...validateLabels(t.metadata?.labels, `${field}.metadata.labels`));
  errs.push(...validateAnnotations(t.metadata?.annotations, `${field}.metadata.annotations`));
  errs.push(...validatePodSpec(t.spec, `${field}.spec`));
  return errs;
}

/** Rules for templates of long-running workloads (Deployment, ReplicaSet, DaemonSet). */
export function validateWorkloadTemplate(t: PodTemplateSpec | undefined, field: string, kindText: string): FieldError[] {
  const errs = validatePodTemplate(t, field);
  const rp = t?.spec?.restartPolicy;
  if (t?.spec && rp !== undefined && rp !== 'Always' && (RESTART_POLICIES as readonly string[]).includes(rp)) {
    errs.push(notSupported(`${field}.spec.restartPolicy`, rp, ['Always']));
  }
  const ads = t?.spec?.activeDeadlineSeconds;
  if (ads !== undefined) {
    errs.push(
      kindText === 'DaemonSet'
        ? {
            type: 'FieldValueInvalid',
            field: `${field}.spec.activeDeadlineSeconds`,
            value: ads,
            detail: 'activeDeadlineSeconds must be nil for daemonset',
          }
        : {
            type: 'FieldValueForbidden',
            field: `${field}.spec.activeDeadlineSeconds`,
            detail: `activeDeadlineSeconds in ${kindText} is not Supported`,
          },
    );
  }
  return errs;
}
