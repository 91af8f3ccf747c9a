// Validation and defaults shared by the four rbac.authorization.k8s.io/v1 kinds: policy rules,
// role references and subjects, with upstream's field paths and messages.

import type { FieldError } from '../../../base/errors.js';
import type { PolicyRule, RoleRef, Subject } from '../../gen/types.js';
import type { Unvalidated } from '../../unvalidated.js';
import { check, invalidValue, isDNS1123Subdomain, isValidPathSegmentName, notSupported, required } from '../../validation/index.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** A rule of a Role (namespaced: no non-resource URLs) or of a ClusterRole. */
function validatePolicyRule(r: Unvalidated<PolicyRule>, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!r.verbs?.length) errs.push(required(`${path}.verbs`, 'verbs must contain at least one value'));
  if (r.nonResourceURLs?.length) {
    if (namespaced)
      errs.push(invalidValue(`${path}.nonResourceURLs`, r.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if (r.apiGroups?.length || r.resources?.length || r.resourceNames?.length) {
      errs.push(
        invalidValue(`${path}.nonResourceURLs`, r.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'),
      );
    }
    return errs;
  }
  if (!r.apiGroups?.length) errs.push(required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (!r.resources?.length) errs.push(required(`${path}.resources`, 'resource rules must supply at least one resource'));
  return errs;
}

export function validateRules(rules: Array<Unvalidated<PolicyRule>> | undefined, namespaced: boolean): FieldError[] {
  return (rules ?? []).flatMap((r, i) => validatePolicyRule(r, namespaced, `rules[${i}]`));
}

/** roleRef of a RoleBinding (Role or ClusterRole) or of a ClusterRoleBinding (ClusterRole only). */
export function validateRoleRef(ref: Unvalidated<RoleRef> | undefined, kinds: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  const r = ref ?? {};
  if (r.apiGroup !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', r.apiGroup ?? '', [RBAC_GROUP]));
  if (!kinds.includes(r.kind ?? '')) errs.push(notSupported('roleRef.kind', r.kind ?? '', kinds));
  if (!r.name) errs.push(required('roleRef.name'));
  else errs.push(...check(isValidPathSegmentName, r.name, 'roleRef.name'));
  return errs;
}

/** Subjects; in a ClusterRoleBinding a ServiceAccount must name its namespace. */
export function validateSubjects(subjects: Array<Unvalidated<Subject>> | undefined, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  (subjects ?? []).forEach((s, i) => {
    const path = `subjects[${i}]`;
    if (!s.name) errs.push(required(`${path}.name`));
    switch (s.kind) {
      case 'ServiceAccount':
        if (s.name) errs.push(...check(isDNS1123Subdomain, s.name, `${path}.name`));
        if (s.apiGroup) errs.push(notSupported(`${path}.apiGroup`, s.apiGroup, ['']));
        if (!namespaced && !s.namespace) errs.push(required(`${path}.namespace`));
        break;
      case 'User':
      case 'Group':
        if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(`${path}.apiGroup`, s.apiGroup ?? '', [RBAC_GROUP]));
        break;
      default:
        errs.push(notSupported(`${path}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    }
  });
  return errs;
}

/** v1 defaults: roleRef and User/Group subjects get the RBAC API group when they omit it. */
export function defaultBinding(b: { roleRef?: Unvalidated<RoleRef>; subjects?: Array<Unvalidated<Subject>> }): void {
  if (b.roleRef && !b.roleRef.apiGroup) b.roleRef.apiGroup = RBAC_GROUP;
  for (const s of b.subjects ?? []) if (!s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = RBAC_GROUP;
}
