// core/v1 ServiceAccount.

import type { ServiceAccount } from '../../gen/types.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';

export const serviceAccountKind = defineKind<ServiceAccount>({
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  listKind: 'ServiceAccountList',
  plural: 'serviceaccounts',
  singular: 'serviceaccount',
  shortNames: ['sa'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.core.v1.ServiceAccount',
  // TokenRequest (`kubectl create token`), served by src/apiserver/auth/serviceaccount/token-request.ts
  subresources: [{ name: 'token', group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] }],
  generation: false,
  hasStatus: false,
  validate: () => [],
  table: {
    columns: [nameColumn, col('Secrets', 'string', 'Number of secrets listed by the service account.'), ageColumn],
    row: (sa, now) => [sa.metadata.name ?? '', (sa.secrets ?? []).length, age(sa, now)],
  },
});
