// authorization.k8s.io/v1 access reviews: SubjectAccessReview, SelfSubjectAccessReview,
// LocalSubjectAccessReview and SelfSubjectRulesReview. They are questions, never stored: the only
// verb is `create`, answered by the API server's review handlers (apiserver/auth/reviews). They are
// kinds here so that discovery and OpenAPI list them as upstream does and kubectl finds them.

import type { KindDef } from '../../kind.js';
import type { KubeObject } from '../../object.js';
import type { LocalSubjectAccessReview, SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview } from '../../gen/types.js';
import { defineKind } from '../common/define.js';
import { nameColumn } from '../common/table.js';

export const AUTHORIZATION_GROUP = 'authorization.k8s.io';

/** A create-only kind of the authorization group (no list type is served: listKind only names one). */
function reviewKind<T extends KubeObject>(kind: string, namespaced: boolean): KindDef<T> {
  const plural = `${kind.toLowerCase()}s`;
  return defineKind<T>({
    group: AUTHORIZATION_GROUP,
    version: 'v1',
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    shortNames: [],
    categories: [],
    namespaced,
    verbs: ['create'],
    schema: `io.k8s.api.authorization.v1.${kind}`,
    subresources: [],
    generation: false,
    hasStatus: false,
    // never listed; a table definition keeps the kind registry uniform
    table: { columns: [nameColumn], row: (o) => [o.metadata.name ?? ''] },
  });
}

export const subjectAccessReviewKind = reviewKind<SubjectAccessReview>('SubjectAccessReview', false);
export const selfSubjectAccessReviewKind = reviewKind<SelfSubjectAccessReview>('SelfSubjectAccessReview', false);
export const localSubjectAccessReviewKind = reviewKind<LocalSubjectAccessReview>('LocalSubjectAccessReview', true);
export const selfSubjectRulesReviewKind = reviewKind<SelfSubjectRulesReview>('SelfSubjectRulesReview', false);
