// apps/v1 DaemonSet.

import type { FieldError } from '../../../base/errors.js';
import type { TableDef } from '../../kind.js';
import { invalidValue, nonNegative, notSupported, required } from '../../validation/index.js';
import { selectorString } from '../../label-selector.js';
import { defineKind, STANDARD_VERBS, statusSub } from '../common/define.js';
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
import { defaultPodTemplate } from '../core/pod/template.js';
import type { DaemonSet } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';

type DaemonSetIn = UnvalidatedObject<DaemonSet>;
import { isZero, validateIntOrPercent, validateNotOver100Percent, validateSelectorAndTemplate } from './workload.js';

export function defaultDaemonSet(ds: DaemonSetIn): void {
  const spec = (ds.spec ??= {});
  const us = (spec.updateStrategy ??= {});
  us.type ??= 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    const ru = (us.rollingUpdate ??= {});
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplate(spec.template);
}

export function validateDaemonSet(ds: DaemonSetIn, old: DaemonSetIn | undefined): FieldError[] {
  const spec = ds.spec ?? {};
  const errs = validateSelectorAndTemplate(ds, old, 'empty selector is invalid for daemonset', 'DaemonSet');
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  errs.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  const us = spec.updateStrategy ?? {};
  if (us.type === 'RollingUpdate') {
    const ru = us.rollingUpdate;
    const p = 'spec.updateStrategy.rollingUpdate';
    if (!ru) errs.push(required(p));
    else {
      errs.push(...validateIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`), ...validateIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      errs.push(
        ...validateNotOver100Percent(ru.maxUnavailable, `${p}.maxUnavailable`),
        ...validateNotOver100Percent(ru.maxSurge, `${p}.maxSurge`),
      );
      const unavailable = !isZero(ru.maxUnavailable),
        surge = !isZero(ru.maxSurge);
      if (unavailable && surge) errs.push(invalidValue(`${p}.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      else if (!unavailable && !surge) errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
    }
  } else if (us.type !== 'OnDelete') {
    errs.push(notSupported('spec.updateStrategy', us, ['RollingUpdate', 'OnDelete']));
  }
  return errs;
}

const daemonSetTable: TableDef<DaemonSetIn> = {
  columns: [
    nameColumn,
    col('Desired', 'integer', 'Number of nodes that should run the daemon pod.'),
    col('Current', 'integer', 'Number of nodes running at least one daemon pod.'),
    col('Ready', 'integer', 'Number of nodes with a ready daemon pod.'),
    col('Up-to-date', 'integer', 'Number of nodes running the updated daemon pod.'),
    col('Available', 'integer', 'Number of nodes with an available daemon pod.'),
    col('Node Selector', 'string', 'Node selector of the pod template.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
  row(ds, now) {
    const st = ds.status ?? {};
    const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
    return [
      ds.metadata.name ?? '',
      st.desiredNumberScheduled ?? 0,
      st.currentNumberScheduled ?? 0,
      st.numberReady ?? 0,
      st.updatedNumberScheduled ?? 0,
      st.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      age(ds, now),
      names,
      images,
      selectorString(ds.spec?.selector),
    ];
  },
};

export const daemonSetKind = defineKind<DaemonSet>({
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  listKind: 'DaemonSetList',
  plural: 'daemonsets',
  singular: 'daemonset',
  shortNames: ['ds'],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.apps.v1.DaemonSet',
  subresources: [statusSub('apps', 'DaemonSet')],
  generation: true,
  hasStatus: true,
  defaults: defaultDaemonSet,
  validate: validateDaemonSet,
  table: daemonSetTable,
});
