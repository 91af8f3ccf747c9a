// core/v1 Namespace.

import type { FieldError } from '../../../base/errors.js';
import type { Namespace } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { validateQualifiedName } from '../../validation/index.js';
import { defineKind, statusSub } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';

type NamespaceIn = UnvalidatedObject<Namespace>;

export function defaultNamespace(ns: NamespaceIn): void {
  const spec = (ns.spec ??= {});
  spec.finalizers ??= ['kubernetes'];
  const status = (ns.status ??= {});
  status.phase ??= 'Active';
}

export function validateNamespace(ns: NamespaceIn): FieldError[] {
  const errs: FieldError[] = [];
  (ns.spec?.finalizers ?? []).forEach((f) => {
    // standard finalizers are bare names; others must be qualified
    if (f !== 'kubernetes') errs.push(...validateQualifiedName(f, 'spec.finalizers'));
  });
  return errs;
}

export const namespaceKind = defineKind<Namespace>({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  plural: 'namespaces',
  singular: 'namespace',
  shortNames: ['ns'],
  categories: [],
  namespaced: false,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  schema: 'io.k8s.api.core.v1.Namespace',
  subresources: [{ name: 'finalize', group: '', version: 'v1', kind: 'Namespace', verbs: ['update'] }, statusSub('', 'Namespace')],
  generation: false,
  hasStatus: true,
  nameRule: 'dns1123-label',
  defaults: defaultNamespace,
  validate: validateNamespace,
  table: {
    columns: [nameColumn, col('Status', 'string', 'Phase of the namespace.'), ageColumn],
    row: (ns, now) => [ns.metadata.name ?? '', ns.status?.phase ?? '', age(ns, now)],
  },
  fieldSelectors: { 'status.phase': (ns) => ns.status?.phase ?? '' },
});
