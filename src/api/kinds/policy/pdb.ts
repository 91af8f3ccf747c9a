// policy/v1 PodDisruptionBudget: how many of a set of pods voluntary disruptions (evictions, drains,
// preemption) must leave healthy. The disruption controller fills the status; the eviction
// subresource spends status.disruptionsAllowed.

import type { FieldError } from '../../../base/errors.js';
import type { PodDisruptionBudget } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { invalidValue, nonNegative, notSupported, validateLabelSelector } from '../../validation/index.js';
import { validateIntOrPercent, validateNotOver100Percent } from '../apps/workload.js';
import { defineKind, STANDARD_VERBS, statusSub } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';

type PdbIn = UnvalidatedObject<PodDisruptionBudget>;

const UNHEALTHY_POD_EVICTION_POLICIES = ['IfHealthyBudget', 'AlwaysAllow'] as const;

function validatePdb(pdb: PdbIn): FieldError[] {
  const spec = pdb.spec ?? {};
  const errs: FieldError[] = [];
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    errs.push(invalidValue('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const f of ['minAvailable', 'maxUnavailable'] as const) {
    const v = spec[f];
    errs.push(...validateIntOrPercent(v, `spec.${f}`), ...validateNotOver100Percent(v, `spec.${f}`));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && !(UNHEALTHY_POD_EVICTION_POLICIES as readonly string[]).includes(policy)) {
    errs.push(notSupported('spec.unhealthyPodEvictionPolicy', policy, UNHEALTHY_POD_EVICTION_POLICIES));
  }
  return errs;
}

function validatePdbStatus(pdb: PdbIn): FieldError[] {
  const st = pdb.status;
  if (!st) return [];
  const errs: FieldError[] = [];
  for (const f of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods', 'observedGeneration'] as const) {
    errs.push(...nonNegative(`status.${f}`, st[f]));
  }
  (st.conditions ?? []).forEach((c, i) => {
    const p = `status.conditions[${i}]`;
    if (!c.type) errs.push({ type: 'FieldValueRequired', field: `${p}.type`, detail: '' });
    if (c.status !== 'True' && c.status !== 'False' && c.status !== 'Unknown')
      errs.push(notSupported(`${p}.status`, c.status, ['False', 'True', 'Unknown']));
    if (!c.reason) errs.push({ type: 'FieldValueRequired', field: `${p}.reason`, detail: '' });
  });
  return errs;
}

const cell = (v: number | string | undefined) => (v === undefined ? 'N/A' : String(v));

export const pdbKind = defineKind<PodDisruptionBudget>({
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  listKind: 'PodDisruptionBudgetList',
  plural: 'poddisruptionbudgets',
  singular: 'poddisruptionbudget',
  shortNames: ['pdb'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.policy.v1.PodDisruptionBudget',
  subresources: [statusSub('policy', 'PodDisruptionBudget')],
  generation: true,
  hasStatus: true,
  validate: validatePdb,
  validateStatus: validatePdbStatus,
  table: {
    columns: [
      nameColumn,
      col('Min Available', 'string', 'The minimum number of pods that must be available.'),
      col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
      col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
      ageColumn,
    ],
    row: (pdb, now) => [
      pdb.metadata.name ?? '',
      cell(pdb.spec?.minAvailable),
      cell(pdb.spec?.maxUnavailable),
      pdb.status?.disruptionsAllowed ?? 0,
      age(pdb, now),
    ],
  },
});
