// networking.k8s.io/v1 IngressClass: which controller implements a class of Ingresses, and the
// (cluster- or namespace-scoped) object holding its parameters.

import type { FieldError } from '../../../base/errors.js';
import type { IngressClass } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { forbidden, immutable, invalidValue, notSupported, required } from '../../validation/field.js';
import { isDNS1123Label } from '../../validation/names.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';
import { validateResourceRef } from './ingress-validation.js';
import { validateDomainPrefixedPath } from './net-checks.js';

type IngressClassIn = UnvalidatedObject<IngressClass>;

const MAX_CONTROLLER = 250;
const SCOPES = ['Cluster', 'Namespace'];

function defaultIngressClass(ic: IngressClassIn): void {
  if (ic.spec?.parameters) ic.spec.parameters.scope ??= 'Cluster';
}

function validateIngressClass(ic: IngressClassIn, old: IngressClassIn | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const controller = ic.spec?.controller ?? '';
  if (!controller) errs.push(required('spec.controller'));
  else {
    if (controller.length > MAX_CONTROLLER)
      errs.push({ type: 'FieldValueTooLong', field: 'spec.controller', detail: `may not be more than ${MAX_CONTROLLER} bytes` });
    errs.push(...validateDomainPrefixedPath(controller, 'spec.controller'));
  }
  const p = ic.spec?.parameters;
  if (p) {
    const f = 'spec.parameters';
    errs.push(...validateResourceRef(p, f));
    if (p.scope === undefined) errs.push(required(`${f}.scope`));
    else if (!SCOPES.includes(p.scope)) errs.push(notSupported(`${f}.scope`, p.scope, SCOPES));
    else if (p.scope === 'Namespace') {
      if (p.namespace === undefined) errs.push(required(`${f}.namespace`, "`parameters.scope` is set to 'Namespace'"));
      else for (const m of isDNS1123Label(p.namespace)) errs.push(invalidValue(`${f}.namespace`, p.namespace, m));
    } else if (p.namespace !== undefined) errs.push(forbidden(`${f}.namespace`, "`parameters.scope` is set to 'Cluster'"));
  }
  if (old) errs.push(...immutable('spec.controller', ic.spec?.controller, old.spec?.controller));
  return errs;
}

function parameters(ic: IngressClassIn): string {
  const p = ic.spec?.parameters;
  if (!p) return '<none>';
  return `${p.kind ?? ''}${p.apiGroup !== undefined ? `.${p.apiGroup}` : ''}/${p.name ?? ''}`;
}

export const ingressClassKind = defineKind<IngressClass>({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'IngressClass',
  listKind: 'IngressClassList',
  plural: 'ingressclasses',
  singular: 'ingressclass',
  shortNames: [],
  categories: [],
  namespaced: false,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.networking.v1.IngressClass',
  subresources: [],
  generation: true,
  hasStatus: false,
  defaults: defaultIngressClass,
  validate: validateIngressClass,
  table: {
    columns: [
      nameColumn,
      col('Controller', 'string', 'Controller that is responsible for handling this class'),
      col('Parameters', 'string', 'A reference to a resource with additional parameters'),
      ageColumn,
    ],
    row: (ic, now) => [ic.metadata.name ?? '', ic.spec?.controller ?? '', parameters(ic), age(ic, now)],
  },
});
