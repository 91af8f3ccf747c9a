// apps/v1 StatefulSet: upstream's defaults, validation (spec rules, which fields an update may
// change, the status counters), table columns and subresources.

import type { FieldError } from '../../../base/errors.js';
import type { TableDef } from '../../kind.js';
import { forbidden, invalidValue, jsonEqual, nonNegative, notSupported, required, validateDNS1123Label } from '../../validation/index.js';
import { defineKind, scaleSub, STANDARD_VERBS, statusSub } from '../common/define.js';
import { age, ageColumn, col, containerCells, containersColumn, imagesColumn, nameColumn } from '../common/table.js';
import { defaultPodTemplate } from '../core/pod/template.js';
import type { PodTemplateSpec, StatefulSet } from '../../gen/types.js';
import type { Unvalidated, UnvalidatedObject } from '../../unvalidated.js';
import { validateClaimTemplates } from './statefulset-claims.js';
import { validateIntOrPercent, validateNotOver100Percent, validateSelectorAndTemplate } from './workload.js';

type StatefulSetIn = UnvalidatedObject<StatefulSet>;
type Spec = NonNullable<StatefulSetIn['spec']>;

const ORDERED_READY = 'OrderedReady';
const PARALLEL = 'Parallel';
const RETAIN = 'Retain';

export function defaultStatefulSet(s: StatefulSetIn): void {
  const spec = (s.spec ??= {});
  spec.podManagementPolicy ||= ORDERED_READY;
  const us = (spec.updateStrategy ??= {});
  if (!us.type) {
    us.type = 'RollingUpdate';
    us.rollingUpdate ??= {};
  }
  if (us.type === 'RollingUpdate' && us.rollingUpdate) us.rollingUpdate.partition ??= 0;
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  retention.whenDeleted ||= RETAIN;
  retention.whenScaled ||= RETAIN;
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  for (const claim of spec.volumeClaimTemplates ?? []) {
    // the claim templates are PersistentVolumeClaims and take that kind's defaults
    if (claim.spec) claim.spec.volumeMode ??= 'Filesystem';
    (claim.status ??= {}).phase ??= 'Pending';
  }
  defaultPodTemplate(spec.template);
}

/**
 * The template as its pods will be: one volume per claim template (unless the template names one),
 * so that volume mounts of claims validate as they will on the pods.
 */
function templateWithClaims(spec: Spec): Unvalidated<PodTemplateSpec> | undefined {
  const t = spec.template;
  const claims = spec.volumeClaimTemplates ?? [];
  if (!t?.spec || !claims.length) return t;
  const volumes = [...(t.spec.volumes ?? [])];
  for (const c of claims) {
    const name = c.metadata?.name;
    if (name && !volumes.some((v) => v.name === name)) volumes.push({ name, persistentVolumeClaim: { claimName: name } });
  }
  return { ...t, spec: { ...t.spec, volumes } };
}

function validateUpdateStrategy(spec: Spec): FieldError[] {
  const us = spec.updateStrategy ?? {};
  const p = 'spec.updateStrategy';
  switch (us.type) {
    case undefined:
    case '':
      return [required(p)];
    case 'OnDelete':
      return us.rollingUpdate
        ? [invalidValue(`${p}.rollingUpdate`, us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'")]
        : [];
    case 'RollingUpdate': {
      const ru = us.rollingUpdate;
      if (!ru) return [];
      const errs = nonNegative(`${p}.rollingUpdate.partition`, ru.partition);
      if (ru.maxUnavailable !== undefined) {
        const f = `${p}.rollingUpdate.maxUnavailable`;
        errs.push(...validateIntOrPercent(ru.maxUnavailable, f), ...validateNotOver100Percent(ru.maxUnavailable, f));
        if (ru.maxUnavailable === 0 || ru.maxUnavailable === '0%') errs.push(invalidValue(f, ru.maxUnavailable, 'must be greater than 0'));
      }
      return errs;
    }
    default:
      return [invalidValue(p, us, "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

function validateRetention(spec: Spec): FieldError[] {
  const r = spec.persistentVolumeClaimRetentionPolicy;
  if (!r) return [];
  const errs: FieldError[] = [];
  for (const k of ['whenDeleted', 'whenScaled'] as const) {
    const v = r[k];
    if (v !== RETAIN && v !== 'Delete')
      errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, v ?? '', [RETAIN, 'Delete']));
  }
  return errs;
}

/** The fields an update may change; everything else of the spec is fixed at creation. */
const MUTABLE = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy'] as const;

export function validateStatefulSet(s: StatefulSetIn, old: StatefulSetIn | undefined): FieldError[] {
  const spec = s.spec ?? {};
  const errs: FieldError[] = [];
  const pmp = spec.podManagementPolicy;
  if (!pmp) errs.push(required('spec.podManagementPolicy'));
  else if (pmp !== ORDERED_READY && pmp !== PARALLEL)
    errs.push(invalidValue('spec.podManagementPolicy', pmp, `must be '${ORDERED_READY}' or '${PARALLEL}'`));
  errs.push(...validateUpdateStrategy(spec), ...validateRetention(spec));
  errs.push(...nonNegative('spec.replicas', spec.replicas), ...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  if (spec.ordinals) errs.push(...nonNegative('spec.ordinals.start', spec.ordinals.start));
  errs.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  // the pods' subdomain: the headless Service that gives them their DNS names
  if (spec.serviceName) errs.push(...validateDNS1123Label(spec.serviceName, 'spec.serviceName'));
  const view = { spec: { selector: spec.selector, template: templateWithClaims(spec) } };
  errs.push(...validateSelectorAndTemplate(view, undefined, 'empty selector is invalid for statefulset', 'StatefulSet'));
  errs.push(...validateClaimTemplates(spec.volumeClaimTemplates, 'spec.volumeClaimTemplates'));
  if (old) {
    const fixed = (x: Spec) => Object.fromEntries(Object.entries(x).filter(([k]) => !(MUTABLE as readonly string[]).includes(k)));
    if (!jsonEqual(fixed(spec), fixed(old.spec ?? {}))) {
      errs.push(
        forbidden(
          'spec',
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', " +
            "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      );
    }
  }
  return errs;
}

export function validateStatefulSetStatus(s: StatefulSetIn, old: StatefulSetIn): FieldError[] {
  const st = s.status ?? {};
  const errs: FieldError[] = [];
  for (const k of [
    'replicas',
    'readyReplicas',
    'currentReplicas',
    'updatedReplicas',
    'availableReplicas',
    'observedGeneration',
    'collisionCount',
  ] as const) {
    errs.push(...nonNegative(`status.${k}`, st[k]));
  }
  const replicas = st.replicas ?? 0;
  for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'] as const) {
    if ((st[k] ?? 0) > replicas) errs.push(invalidValue(`status.${k}`, st[k], 'cannot be greater than status.replicas'));
  }
  if ((st.availableReplicas ?? 0) > (st.readyReplicas ?? 0))
    errs.push(invalidValue('status.availableReplicas', st.availableReplicas, 'cannot be greater than status.readyReplicas'));
  const was = old.status?.collisionCount;
  if (was !== undefined && (st.collisionCount === undefined || st.collisionCount < was))
    errs.push(invalidValue('status.collisionCount', st.collisionCount ?? 0, 'cannot be decremented'));
  return errs;
}

const statefulSetTable: TableDef<StatefulSetIn> = {
  columns: [nameColumn, col('Ready', 'string', 'Number of the pod with ready state'), ageColumn, containersColumn, imagesColumn],
  row(s, now) {
    const [names, images] = containerCells(s.spec?.template?.spec?.containers);
    return [s.metadata.name ?? '', `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 0}`, age(s, now), names, images];
  },
};

export const statefulSetKind = defineKind<StatefulSet>({
  group: 'apps',
  version: 'v1',
  kind: 'StatefulSet',
  listKind: 'StatefulSetList',
  plural: 'statefulsets',
  singular: 'statefulset',
  shortNames: ['sts'],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.apps.v1.StatefulSet',
  subresources: [scaleSub, statusSub('apps', 'StatefulSet')],
  generation: true,
  hasStatus: true,
  // pods are named <set>-<ordinal> and take that name as their hostname
  nameRule: 'dns1123-label',
  defaults: defaultStatefulSet,
  validate: validateStatefulSet,
  validateStatus: validateStatefulSetStatus,
  table: statefulSetTable,
});
