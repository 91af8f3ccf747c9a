// apiregistration.k8s.io/v1 APIService: which server answers a group-version. Tandem serves every
// group itself, so the only APIServices are the `Local` ones it publishes for its own group-versions
// (src/apiserver/apiservices.ts); user-created ones are stored and validated as upstream does, though
// nothing proxies to their Services yet.

import type { FieldError } from '../../../base/errors.js';
import type { APIService } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { invalidValue, notSupported, required } from '../../validation/field.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../../validation/names.js';
import { defineKind, STANDARD_VERBS, statusSub } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';

type APIServiceIn = UnvalidatedObject<APIService>;

const CONDITION_STATUSES = ['True', 'False', 'Unknown'];

function defaultAPIService(a: APIServiceIn): void {
  if (a.spec?.service) a.spec.service.port ??= 443;
}

function validateAPIService(a: APIServiceIn): FieldError[] {
  const errs: FieldError[] = [];
  const spec = a.spec ?? {};
  const group = spec.group ?? '';
  const version = spec.version ?? '';
  const wanted = `${version}.${group}`;
  const name = a.metadata.name ?? '';
  if (name && name !== wanted && !name.includes('/') && !name.includes('%') && name !== '.' && name !== '..')
    errs.push(invalidValue('metadata.name', name, `must be \`spec.version+"."+spec.group\`: ${JSON.stringify(wanted)}`));
  if (!group && version !== 'v1') errs.push(required('spec.group', 'only v1 may have an empty group and it better be legacy kube'));
  if (group) for (const m of isDNS1123Subdomain(group)) errs.push(invalidValue('spec.group', group, m));
  for (const m of isDNS1035Label(version)) errs.push(invalidValue('spec.version', version, m));
  const gpm = spec.groupPriorityMinimum ?? 0;
  if (gpm <= 0 || gpm > 20000) errs.push(invalidValue('spec.groupPriorityMinimum', gpm, 'must be positive and less than 20000'));
  const vp = spec.versionPriority ?? 0;
  if (vp <= 0 || vp > 1000) errs.push(invalidValue('spec.versionPriority', vp, 'must be positive and less than 1000'));
  const caBytes = spec.caBundle ? Buffer.from(spec.caBundle, 'base64').length : 0;
  if (!spec.service) {
    if (caBytes) errs.push(invalidValue('spec.caBundle', `${caBytes} bytes`, 'local APIServices may not have a caBundle'));
    if (spec.insecureSkipTLSVerify)
      errs.push(invalidValue('spec.insecureSkipTLSVerify', true, 'local APIServices may not have insecureSkipTLSVerify'));
    return errs;
  }
  const svc = spec.service;
  if (!svc.namespace) errs.push(required('spec.service.namespace'));
  if (!svc.name) errs.push(required('spec.service.name'));
  const port = svc.port ?? 0;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    errs.push(invalidValue('spec.service.port', port, 'port is not valid: must be between 1 and 65535, inclusive'));
  if (spec.insecureSkipTLSVerify && caBytes)
    errs.push(invalidValue('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'));
  return errs;
}

function validateAPIServiceStatus(a: APIServiceIn): FieldError[] {
  const errs: FieldError[] = [];
  (a.status?.conditions ?? []).forEach((c, i) => {
    if (!CONDITION_STATUSES.includes(c.status ?? ''))
      errs.push(notSupported(`status.conditions[${i}].status`, c.status ?? '', CONDITION_STATUSES));
  });
  return errs;
}

function available(a: APIServiceIn): string {
  const c = (a.status?.conditions ?? []).find((x) => x.type === 'Available');
  if (!c) return 'Unknown';
  if (c.status !== 'True' && c.reason) return `${c.status ?? ''} (${c.reason})`;
  return c.status ?? '';
}

export const apiServiceKind = defineKind<APIService>({
  group: 'apiregistration.k8s.io',
  version: 'v1',
  kind: 'APIService',
  listKind: 'APIServiceList',
  plural: 'apiservices',
  singular: 'apiservice',
  shortNames: [],
  categories: ['api-extensions'],
  namespaced: false,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService',
  subresources: [statusSub('apiregistration.k8s.io', 'APIService')],
  generation: false,
  hasStatus: true,
  nameRule: 'path-segment',
  defaults: defaultAPIService,
  validate: validateAPIService,
  validateStatus: validateAPIServiceStatus,
  table: {
    columns: [
      nameColumn,
      col('Service', 'string', 'The reference to the service that hosts this API endpoint.'),
      col('Available', 'string', 'Whether this service is available.'),
      ageColumn,
    ],
    row: (a, now) => [
      a.metadata.name ?? '',
      a.spec?.service ? `${a.spec.service.namespace ?? ''}/${a.spec.service.name ?? ''}` : 'Local',
      available(a),
      age(a, now),
    ],
  },
});
