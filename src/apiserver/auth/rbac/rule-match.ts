// Whether one RBAC policy rule allows a request, and whether a binding's subject is a given user:
// upstream's matching semantics (`*` for verbs, groups and resources; `resource/subresource` and
// `*/subresource`; resourceNames narrow a rule; non-resource URLs match exactly or by a trailing `*`).

import type { PolicyRule, Subject } from '../../../api/gen/types.js';
import type { AuthorizationAttributes } from '../authorizer.js';
import { serviceAccountUserName, type UserInfo } from '../user.js';

const has = (list: readonly string[] | undefined, v: string): boolean => list !== undefined && (list.includes('*') || list.includes(v));

function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (subresource && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

export function nonResourceURLMatches(pattern: string, path: string): boolean {
  if (pattern === '*' || pattern === path) return true;
  return pattern.endsWith('*') && path.startsWith(pattern.replace(/\*+$/, ''));
}

/** True when `rule` allows the request described by `a`. */
export function ruleAllows(a: AuthorizationAttributes, rule: PolicyRule): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) return (rule.nonResourceURLs ?? []).some((u) => nonResourceURLMatches(u, a.path));
  if (!has(rule.apiGroups, a.apiGroup) || !resourceMatches(rule, a.resource, a.subresource)) return false;
  const names = rule.resourceNames;
  return !names?.length || names.includes(a.name);
}

/**
 * True when the binding's subject is the user. A ServiceAccount subject without a namespace means
 * the binding's own (a ClusterRoleBinding has none, so such a subject matches nobody).
 */
export function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === user.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return ns !== '' && serviceAccountUserName(ns, s.name) === user.name;
    }
    default:
      return false;
  }
}

/** How a matching binding names its subject in reasons: `User "x"`, `ServiceAccount "name/namespace"`. */
export function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${JSON.stringify(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}
