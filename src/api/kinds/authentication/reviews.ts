// authentication.k8s.io/v1 TokenReview and SelfSubjectReview: virtual kinds, answered by the API
// server's own handlers (src/apiserver/auth/serviceaccount/reviews.ts) and never stored. They are
// kinds here so that discovery and OpenAPI list them with their one verb, create.

import type { SelfSubjectReview, TokenReview } from '../../gen/types.js';
import { defineKind } from '../common/define.js';
import { nameColumn } from '../common/table.js';

const CREATE_ONLY = ['create'] as const;

export const tokenReviewKind = defineKind<TokenReview>({
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'TokenReview',
  listKind: 'TokenReviewList',
  plural: 'tokenreviews',
  singular: 'tokenreview',
  shortNames: [],
  categories: [],
  namespaced: false,
  verbs: CREATE_ONLY,
  schema: 'io.k8s.api.authentication.v1.TokenReview',
  subresources: [],
  generation: false,
  hasStatus: false,
  table: { columns: [nameColumn], row: (r) => [r.metadata.name ?? ''] },
});

export const selfSubjectReviewKind = defineKind<SelfSubjectReview>({
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectReview',
  listKind: 'SelfSubjectReviewList',
  plural: 'selfsubjectreviews',
  singular: 'selfsubjectreview',
  shortNames: [],
  categories: [],
  namespaced: false,
  verbs: CREATE_ONLY,
  schema: 'io.k8s.api.authentication.v1.SelfSubjectReview',
  subresources: [],
  generation: false,
  hasStatus: false,
  table: { columns: [nameColumn], row: (r) => [r.metadata.name ?? ''] },
});
