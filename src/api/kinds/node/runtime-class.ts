// node.k8s.io/v1 RuntimeClass (Windows isolation: runhcs-wcow-process / runhcs-wcow-hypervisor handlers).

import type { FieldError } from '../../../base/errors.js';
import type { RuntimeClass } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { immutable, validateDNS1123Label, validateLabels, validateQuantity } from '../../validation/index.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';
import { validateTolerations } from '../core/pod/validate-spec.js';

type RuntimeClassIn = UnvalidatedObject<RuntimeClass>;

export function validateRuntimeClass(rc: RuntimeClassIn, old: RuntimeClassIn | undefined): FieldError[] {
  const errs = validateDNS1123Label(rc.handler ?? '', 'handler');
  for (const [k, v] of Object.entries(rc.overhead?.podFixed ?? {})) errs.push(...validateQuantity(v, `overhead.podFixed[${k}]`));
  errs.push(...validateLabels(rc.scheduling?.nodeSelector, 'scheduling.nodeSelector'));
  errs.push(...validateTolerations(rc.scheduling?.tolerations, 'scheduling.tolerations'));
  if (old) errs.push(...immutable('handler', rc.handler, old.handler));
  return errs;
}

export const runtimeClassKind = defineKind<RuntimeClass>({
  group: 'node.k8s.io',
  version: 'v1',
  kind: 'RuntimeClass',
  listKind: 'RuntimeClassList',
  plural: 'runtimeclasses',
  singular: 'runtimeclass',
  shortNames: [],
  categories: [],
  namespaced: false,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.node.v1.RuntimeClass',
  subresources: [],
  generation: false,
  hasStatus: false,
  validate: validateRuntimeClass,
  table: {
    columns: [nameColumn, col('Handler', 'string', 'CRI handler that runs pods of this class.'), ageColumn],
    row: (rc, now) => [rc.metadata.name ?? '', rc.handler ?? '', age(rc, now)],
  },
});
