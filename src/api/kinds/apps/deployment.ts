// apps/v1 Deployment.

import type { FieldError } from '../../../base/errors.js';
import type { TableDef } from '../../kind.js';
import { forbidden, invalidValue, nonNegative, notSupported, required } from '../../validation/index.js';
import { selectorString } from '../../label-selector.js';
import { defineKind, scaleSub, STANDARD_VERBS, statusSub } from '../common/define.js';
import { age, ageColumn, col, containerCells, containersColumn, imagesColumn, nameColumn, selectorColumn } from '../common/table.js';
import { defaultPodTemplate } from '../core/pod/template.js';
import type { Deployment } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';

type DeploymentIn = UnvalidatedObject<Deployment>;
import { isZero, validateIntOrPercent, validateNotOver100Percent, validateSelectorAndTemplate } from './workload.js';

export function defaultDeployment(d: DeploymentIn): void {
  const spec = (d.spec ??= {});
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplate(spec.template);
}

export function validateDeployment(d: DeploymentIn, old: DeploymentIn | undefined): FieldError[] {
  const spec = d.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...nonNegative('spec.replicas', spec.replicas));
  errs.push(...validateSelectorAndTemplate(d, old, 'empty selector is invalid for deployment', 'ReplicaSet'));
  const strategy = spec.strategy ?? {};
  if (strategy.type === 'Recreate') {
    if (strategy.rollingUpdate)
      errs.push(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  } else if (strategy.type === 'RollingUpdate') {
    const ru = strategy.rollingUpdate;
    if (!ru) errs.push(required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil'));
    else {
      const p = 'spec.strategy.rollingUpdate';
      errs.push(...validateIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`));
      errs.push(...validateIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      if (isZero(ru.maxUnavailable) && isZero(ru.maxSurge)) {
        errs.push(invalidValue(`${p}.maxUnavailable`, ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...validateNotOver100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
    }
  } else {
    errs.push(notSupported('spec.strategy', strategy, ['Recreate', 'RollingUpdate']));
  }
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  errs.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  const pds = spec.progressDeadlineSeconds;
  if (pds !== undefined) {
    errs.push(...nonNegative('spec.progressDeadlineSeconds', pds));
    if (pds <= (spec.minReadySeconds ?? 0))
      errs.push(invalidValue('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

const deploymentTable: TableDef<DeploymentIn> = {
  columns: [
    nameColumn,
    col('Ready', 'string', 'Ready replicas out of desired replicas.'),
    col('Up-to-date', 'integer', 'Replicas running the latest pod template.'),
    col('Available', 'integer', 'Replicas available for at least minReadySeconds.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
  row(d, now) {
    const st = d.status ?? {};
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    return [
      d.metadata.name ?? '',
      `${st.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      st.updatedReplicas ?? 0,
      st.availableReplicas ?? 0,
      age(d, now),
      names,
      images,
      selectorString(d.spec?.selector),
    ];
  },
};

export const deploymentKind = defineKind<Deployment>({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  listKind: 'DeploymentList',
  plural: 'deployments',
  singular: 'deployment',
  shortNames: ['deploy'],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.apps.v1.Deployment',
  subresources: [scaleSub, statusSub('apps', 'Deployment')],
  generation: true,
  hasStatus: true,
  defaults: defaultDeployment,
  validate: validateDeployment,
  table: deploymentTable,
});
