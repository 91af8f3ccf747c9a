// core/v1 ReplicationController: the ReplicaSet's predecessor, with a plain label map as selector.
// Its controller is the ReplicaSet controller run over this kind (src/controllers/replication/).

import type { FieldError } from '../../../base/errors.js';
import type { ReplicationController } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { invalidValue, nonNegative, required, validateLabels } from '../../validation/index.js';
import { defineKind, scaleSub, STANDARD_VERBS, statusSub } from '../common/define.js';
import {
  age,
  ageColumn,
  col,
  containerCells,
  containersColumn,
  formatLabels,
  imagesColumn,
  nameColumn,
  selectorColumn,
} from '../common/table.js';
import { defaultPodTemplate, validateWorkloadTemplate } from './pod/template.js';

type RCIn = UnvalidatedObject<ReplicationController>;

/** Upstream's defaults: selector and labels from the template's labels when unset, one replica. */
export function defaultReplicationController(rc: RCIn): void {
  const spec = (rc.spec ??= {});
  const labels = spec.template?.metadata?.labels;
  if (labels) {
    if (Object.keys(spec.selector ?? {}).length === 0) spec.selector = { ...labels };
    if (Object.keys(rc.metadata.labels ?? {}).length === 0) rc.metadata.labels = { ...labels };
  }
  spec.replicas ??= 1;
  defaultPodTemplate(spec.template);
}

const matchesMap = (sel: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>) =>
  Object.entries(sel).every(([k, v]) => labels[k] === v);

export function validateReplicationController(rc: RCIn, _old: RCIn | undefined): FieldError[] {
  const spec = rc.spec ?? {};
  const errs: FieldError[] = [...nonNegative('spec.minReadySeconds', spec.minReadySeconds)];
  const sel = spec.selector ?? {};
  if (Object.keys(sel).length === 0) errs.push(required('spec.selector'));
  else errs.push(...validateLabels(sel, 'spec.selector'));
  errs.push(...nonNegative('spec.replicas', spec.replicas));
  if (!spec.template) errs.push(required('spec.template'));
  else {
    const labels = spec.template.metadata?.labels ?? {};
    if (Object.keys(sel).length > 0 && !matchesMap(sel, labels)) {
      errs.push(invalidValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
    }
    errs.push(...validateWorkloadTemplate(spec.template, 'spec.template', 'ReplicationController'));
  }
  return errs;
}

/** Status counters never go negative, and no subset counts more than status.replicas. */
export function validateReplicationControllerStatus(rc: RCIn, _old: RCIn): FieldError[] {
  const s = rc.status ?? {};
  const errs: FieldError[] = [
    ...nonNegative('status.replicas', s.replicas),
    ...nonNegative('status.fullyLabeledReplicas', s.fullyLabeledReplicas),
    ...nonNegative('status.readyReplicas', s.readyReplicas),
    ...nonNegative('status.availableReplicas', s.availableReplicas),
    ...nonNegative('status.observedGeneration', s.observedGeneration),
  ];
  const replicas = s.replicas ?? 0;
  const over = (f: string, v: number | undefined) =>
    v !== undefined && v > replicas ? [invalidValue(`status.${f}`, v, 'cannot be greater than status.replicas')] : [];
  errs.push(...over('fullyLabeledReplicas', s.fullyLabeledReplicas), ...over('readyReplicas', s.readyReplicas));
  errs.push(...over('availableReplicas', s.availableReplicas));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0))
    errs.push(invalidValue('status.availableReplicas', s.availableReplicas, 'cannot be greater than readyReplicas'));
  return errs;
}

export const replicationControllerKind = defineKind<ReplicationController>({
  group: '',
  version: 'v1',
  kind: 'ReplicationController',
  listKind: 'ReplicationControllerList',
  plural: 'replicationcontrollers',
  singular: 'replicationcontroller',
  shortNames: ['rc'],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.core.v1.ReplicationController',
  subresources: [scaleSub, statusSub('', 'ReplicationController')],
  generation: true,
  hasStatus: true,
  defaults: defaultReplicationController,
  validate: validateReplicationController,
  validateStatus: validateReplicationControllerStatus,
  table: {
    columns: [
      nameColumn,
      col('Desired', 'integer', 'Number of desired pods.'),
      col('Current', 'integer', 'Number of actually running pods.'),
      col('Ready', 'integer', 'Number of ready pods.'),
      ageColumn,
      containersColumn,
      imagesColumn,
      selectorColumn,
    ],
    row(rc, now) {
      const [names, images] = containerCells(rc.spec?.template?.spec?.containers);
      return [
        rc.metadata.name ?? '',
        rc.spec?.replicas ?? 0,
        rc.status?.replicas ?? 0,
        rc.status?.readyReplicas ?? 0,
        age(rc, now),
        names,
        images,
        formatLabels(rc.spec?.selector),
      ];
    },
  },
  fieldSelectors: { 'status.replicas': (rc) => String(rc.status?.replicas ?? 0) },
});
