// Small builders for the default policy's data: rules, roles and bindings carrying the labels and the
// auto-update annotation upstream's bootstrap objects carry.

import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from '../../../api/gen/types.js';

const RBAC = 'rbac.authorization.k8s.io';
const API_VERSION = `${RBAC}/v1`;
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
const DEFAULT_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };

export const READ = ['get', 'list', 'watch'];
export const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
export const READ_WRITE = [...READ, ...WRITE];

/** A resource rule (names narrow it when given). */
export const rule = (
  verbs: readonly string[],
  groups: readonly string[],
  resources: readonly string[],
  names?: readonly string[],
): PolicyRule => ({
  verbs: [...verbs],
  apiGroups: [...groups],
  resources: [...resources],
  ...(names?.length ? { resourceNames: [...names] } : {}),
});

/** A non-resource URL rule. */
export const urlRule = (verbs: readonly string[], urls: readonly string[]): PolicyRule => ({
  verbs: [...verbs],
  nonResourceURLs: [...urls],
});

/** Writing Events through either API. */
export const eventsRule = (): PolicyRule => rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']);

const meta = (name: string, labels: Record<string, string> = {}, namespace?: string) => ({
  name,
  ...(namespace ? { namespace } : {}),
  labels: { ...DEFAULT_LABELS, ...labels },
  annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
});

export function clusterRole(
  name: string,
  rules: PolicyRule[],
  opts: { labels?: Record<string, string>; aggregateFrom?: string } = {},
): ClusterRole {
  return {
    apiVersion: API_VERSION,
    kind: 'ClusterRole',
    metadata: meta(name, opts.labels),
    ...(opts.aggregateFrom
      ? {
          aggregationRule: {
            clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${opts.aggregateFrom}`]: 'true' } }],
          },
        }
      : {}),
    rules,
  };
}

export function role(namespace: string, name: string, rules: PolicyRule[]): Role {
  return { apiVersion: API_VERSION, kind: 'Role', metadata: meta(name, {}, namespace), rules };
}

export const user = (name: string): Subject => ({ kind: 'User', apiGroup: RBAC, name });
export const group = (name: string): Subject => ({ kind: 'Group', apiGroup: RBAC, name });
export const serviceAccount = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', namespace, name });

/** A ClusterRoleBinding, named as its ClusterRole unless `name` is given (upstream's convention). */
export function clusterBinding(roleName: string, subjects: Subject[], name = roleName): ClusterRoleBinding {
  return {
    apiVersion: API_VERSION,
    kind: 'ClusterRoleBinding',
    metadata: meta(name),
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: roleName },
    subjects,
  };
}

export function roleBinding(namespace: string, roleName: string, subjects: Subject[]): RoleBinding {
  return {
    apiVersion: API_VERSION,
    kind: 'RoleBinding',
    metadata: meta(roleName, {}, namespace),
    roleRef: { apiGroup: RBAC, kind: 'Role', name: roleName },
    subjects,
  };
}
