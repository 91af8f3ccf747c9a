// rbac.authorization.k8s.io/v1 RoleBinding and ClusterRoleBinding: who (subjects) holds which role
// (roleRef). The roleRef never changes once written: changing whom a binding grants what would let an
// `update` on bindings turn into a `bind` of any role, so upstream makes it immutable.

import type { FieldError } from '../../../base/errors.js';
import type { ClusterRoleBinding, RoleBinding, Subject } from '../../gen/types.js';
import type { Unvalidated, UnvalidatedObject } from '../../unvalidated.js';
import { invalidValue, jsonEqual } from '../../validation/index.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';
import { defaultBinding, RBAC_GROUP, validateRoleRef, validateSubjects } from './rbac-validation.js';

type BindingIn = UnvalidatedObject<RoleBinding>;

function validateBinding(b: BindingIn, old: BindingIn | undefined, namespaced: boolean): FieldError[] {
  const errs = [
    ...validateRoleRef(b.roleRef, namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole']),
    ...validateSubjects(b.subjects, namespaced),
  ];
  if (old && !jsonEqual(b.roleRef, old.roleRef)) errs.push(invalidValue('roleRef', b.roleRef, 'cannot change roleRef'));
  return errs;
}

/** The wide columns: users, groups and service accounts (`namespace/name`), each joined with ", ". */
function subjectCells(subjects: ReadonlyArray<Unvalidated<Subject>> | undefined): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of subjects ?? []) {
    if (s.kind === 'User') users.push(s.name ?? '');
    else if (s.kind === 'Group') groups.push(s.name ?? '');
    else if (s.kind === 'ServiceAccount') sas.push(s.namespace ? `${s.namespace}/${s.name ?? ''}` : (s.name ?? ''));
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

const bindingTable = {
  columns: [
    nameColumn,
    col('Role', 'string', 'RoleRef references the role this binding grants (Kind/name).'),
    ageColumn,
    col('Users', 'string', 'Users the binding applies to.', 1),
    col('Groups', 'string', 'Groups the binding applies to.', 1),
    col('ServiceAccounts', 'string', 'Service accounts the binding applies to.', 1),
  ],
  row: (b: BindingIn, now: number) => [
    b.metadata.name ?? '',
    `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`,
    age(b, now),
    ...subjectCells(b.subjects),
  ],
};

export const roleBindingKind = defineKind<RoleBinding>({
  group: RBAC_GROUP,
  version: 'v1',
  kind: 'RoleBinding',
  listKind: 'RoleBindingList',
  plural: 'rolebindings',
  singular: 'rolebinding',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.rbac.v1.RoleBinding',
  subresources: [],
  generation: false,
  hasStatus: false,
  nameRule: 'path-segment',
  defaults: defaultBinding,
  validate: (b, old) => validateBinding(b, old, true),
  table: bindingTable,
});

export const clusterRoleBindingKind = defineKind<ClusterRoleBinding>({
  group: RBAC_GROUP,
  version: 'v1',
  kind: 'ClusterRoleBinding',
  listKind: 'ClusterRoleBindingList',
  plural: 'clusterrolebindings',
  singular: 'clusterrolebinding',
  shortNames: [],
  categories: [],
  namespaced: false,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.rbac.v1.ClusterRoleBinding',
  subresources: [],
  generation: false,
  hasStatus: false,
  nameRule: 'path-segment',
  defaults: defaultBinding,
  validate: (b, old) => validateBinding(b, old, false),
  table: bindingTable,
});
