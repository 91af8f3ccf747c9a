// rbac.authorization.k8s.io/v1 Role and ClusterRole: sets of permissions. A ClusterRole may carry an
// aggregationRule, whose rules the clusterrole-aggregation controller fills from other ClusterRoles.

import type { FieldError } from '../../../base/errors.js';
import type { ClusterRole, Role } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { required, validateLabelSelector } from '../../validation/index.js';
import type { KubeObject } from '../../object.js';
import type { ColumnDefinition } from '../../kind.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { nameColumn } from '../common/table.js';
import { RBAC_GROUP, validateRules } from './rbac-validation.js';

const createdAtColumn: ColumnDefinition = {
  name: 'Created At',
  type: 'string',
  format: 'date',
  description: 'Time the object was created.',
  priority: 0,
};

/** Roles print their creation time as an RFC 3339 date, as upstream's printer does (not an age). */
const roleRow = (r: KubeObject): unknown[] => {
  const ts = r.metadata.creationTimestamp;
  const t = ts ? Date.parse(ts) : NaN;
  return [r.metadata.name ?? '', Number.isNaN(t) ? '<unknown>' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z')];
};

function validateClusterRole(r: UnvalidatedObject<ClusterRole>): FieldError[] {
  const errs = validateRules(r.rules, false);
  const agg = r.aggregationRule;
  if (agg) {
    const sels = agg.clusterRoleSelectors ?? [];
    if (sels.length === 0) {
      errs.push(
        required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'),
      );
    }
    sels.forEach((s, i) => errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)));
  }
  return errs;
}

export const roleKind = defineKind<Role>({
  group: RBAC_GROUP,
  version: 'v1',
  kind: 'Role',
  listKind: 'RoleList',
  plural: 'roles',
  singular: 'role',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.rbac.v1.Role',
  subresources: [],
  generation: false,
  hasStatus: false,
  nameRule: 'path-segment',
  validate: (r) => validateRules(r.rules, true),
  table: { columns: [nameColumn, createdAtColumn], row: roleRow },
});

export const clusterRoleKind = defineKind<ClusterRole>({
  group: RBAC_GROUP,
  version: 'v1',
  kind: 'ClusterRole',
  listKind: 'ClusterRoleList',
  plural: 'clusterroles',
  singular: 'clusterrole',
  shortNames: [],
  categories: [],
  namespaced: false,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.rbac.v1.ClusterRole',
  subresources: [],
  generation: false,
  hasStatus: false,
  nameRule: 'path-segment',
  validate: validateClusterRole,
  table: { columns: [nameColumn, createdAtColumn], row: roleRow },
});
