// apps/v1 ReplicaSet.

import type { FieldError } from '../../../base/errors.js';
import type { TableDef } from '../../kind.js';
import { nonNegative } from '../../validation/index.js';
import { selectorString } from '../../label-selector.js';
import { defineKind, scaleSub, STANDARD_VERBS, statusSub } from '../common/define.js';
import { age, ageColumn, col, containerCells, containersColumn, imagesColumn, nameColumn, selectorColumn } from '../common/table.js';
import { defaultPodTemplate } from '../core/pod/template.js';
import type { ReplicaSet } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';

type ReplicaSetIn = UnvalidatedObject<ReplicaSet>;
import { validateSelectorAndTemplate } from './workload.js';

export function defaultReplicaSet(rs: ReplicaSetIn): void {
  const spec = (rs.spec ??= {});
  spec.replicas ??= 1;
  defaultPodTemplate(spec.template);
}

export function validateReplicaSet(rs: ReplicaSetIn, old: ReplicaSetIn | undefined): FieldError[] {
  const spec = rs.spec ?? {};
  return [
    ...nonNegative('spec.replicas', spec.replicas),
    ...nonNegative('spec.minReadySeconds', spec.minReadySeconds),
    // upstream reuses the Deployment wording here
    ...validateSelectorAndTemplate(rs, old, 'empty selector is invalid for deployment', 'ReplicaSet'),
  ];
}

const replicaSetTable: TableDef<ReplicaSetIn> = {
  columns: [
    nameColumn,
    col('Desired', 'integer', 'Desired number of replicas.'),
    col('Current', 'integer', 'Number of replicas that exist.'),
    col('Ready', 'integer', 'Number of ready replicas.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
  row(rs, now) {
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return [
      rs.metadata.name ?? '',
      rs.spec?.replicas ?? 0,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      age(rs, now),
      names,
      images,
      selectorString(rs.spec?.selector),
    ];
  },
};

export const replicaSetKind = defineKind<ReplicaSet>({
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  listKind: 'ReplicaSetList',
  plural: 'replicasets',
  singular: 'replicaset',
  shortNames: ['rs'],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.apps.v1.ReplicaSet',
  subresources: [scaleSub, statusSub('apps', 'ReplicaSet')],
  generation: true,
  hasStatus: true,
  defaults: defaultReplicaSet,
  validate: validateReplicaSet,
  table: replicaSetTable,
  fieldSelectors: { 'status.replicas': (rs) => String(rs.status?.replicas ?? 0) },
});
