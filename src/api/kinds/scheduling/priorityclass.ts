// scheduling.k8s.io/v1 PriorityClass: a name for a pod priority. The Priority admission plugin
// resolves a pod's priorityClassName into spec.priority; the scheduler orders its queue by it and
// preempts lower-priority pods for higher ones. Names starting with `system-` are reserved for the
// two built-in classes, which the server creates at start.

import type { FieldError } from '../../../base/errors.js';
import type { PriorityClass } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { forbidden, immutable, notSupported, required } from '../../validation/index.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';

type PriorityClassIn = UnvalidatedObject<PriorityClass>;

/** Above this, values belong to the system classes. */
const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
const SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY;
const SYSTEM_PREFIX = 'system-';
const PREEMPTION_POLICIES = ['PreemptLowerPriority', 'Never'] as const;

/** The built-in classes, as every cluster has them. */
export const SYSTEM_PRIORITY_CLASSES: readonly PriorityClass[] = [
  {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'system-node-critical' },
    value: SYSTEM_CRITICAL_PRIORITY + 1000,
    description: 'Used for system critical pods that must not be moved from their current node.',
    preemptionPolicy: 'PreemptLowerPriority',
  },
  {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'system-cluster-critical' },
    value: SYSTEM_CRITICAL_PRIORITY,
    description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
    preemptionPolicy: 'PreemptLowerPriority',
  },
];

/** Why a `system-` class is not one of the built-ins (undefined when it is one). */
function systemClassMismatch(pc: PriorityClassIn): string | undefined {
  const name = pc.metadata.name ?? '';
  const known = SYSTEM_PRIORITY_CLASSES.find((s) => s.metadata.name === name);
  if (!known) return `${name} is not a known system priority class`;
  if (pc.value !== known.value) return `value of ${name} PriorityClass must be ${known.value}`;
  if (pc.globalDefault === true) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

/** Whether a class is one of the built-ins (they may not be deleted). */
export const isSystemPriorityClass = (name: string): boolean => SYSTEM_PRIORITY_CLASSES.some((s) => s.metadata.name === name);

function defaultPriorityClass(pc: PriorityClassIn): void {
  pc.preemptionPolicy ??= 'PreemptLowerPriority';
}

function validatePriorityClass(pc: PriorityClassIn, old: PriorityClassIn | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const name = pc.metadata.name ?? '';
  if (name.startsWith(SYSTEM_PREFIX)) {
    const why = systemClassMismatch(pc);
    if (why) {
      errs.push(
        forbidden('metadata.name', `priority class names with '${SYSTEM_PREFIX}' prefix are reserved for system use only. error: ${why}`),
      );
    }
  } else if (typeof pc.value === 'number' && pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  if (pc.value === undefined) errs.push(required('value'));
  const policy = pc.preemptionPolicy;
  if (policy === undefined) errs.push(required('preemptionPolicy'));
  else if (!(PREEMPTION_POLICIES as readonly string[]).includes(policy))
    errs.push(notSupported('preemptionPolicy', policy, PREEMPTION_POLICIES));
  if (old) {
    if (pc.value !== old.value) errs.push(forbidden('value', 'may not be changed in an update.'));
    errs.push(...immutable('preemptionPolicy', pc.preemptionPolicy, old.preemptionPolicy));
  }
  return errs;
}

export const priorityClassKind = defineKind<PriorityClass>({
  group: 'scheduling.k8s.io',
  version: 'v1',
  kind: 'PriorityClass',
  listKind: 'PriorityClassList',
  plural: 'priorityclasses',
  singular: 'priorityclass',
  shortNames: ['pc'],
  categories: [],
  namespaced: false,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.scheduling.v1.PriorityClass',
  subresources: [],
  generation: false,
  hasStatus: false,
  defaults: defaultPriorityClass,
  validate: validatePriorityClass,
  table: {
    columns: [
      nameColumn,
      col('Value', 'integer', 'The value of this priority class.'),
      col('Global-Default', 'boolean', 'Whether this is the default priority for pods without a class.'),
      ageColumn,
      col('PreemptionPolicy', 'string', 'Whether pods of this class may preempt lower-priority pods.'),
    ],
    row: (pc, now) => [pc.metadata.name ?? '', pc.value ?? 0, pc.globalDefault === true, age(pc, now), pc.preemptionPolicy ?? ''],
  },
});
