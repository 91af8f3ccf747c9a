// apiextensions.k8s.io/v1 CustomResourceDefinition: upstream's defaults and validation of the
// definition itself (names, versions, schemas, subresources, printer columns, conversion). Serving
// the kinds it defines is the API server's part (src/apiserver/crd/).

import type { FieldError } from '../../../base/errors.js';
import type {
  CustomResourceDefinition,
  CustomResourceDefinitionNames,
  CustomResourceDefinitionVersion,
  JSONSchemaProps,
} from '../../gen/types.js';
import { validateCrdSchema, validateStatusRootSchema } from '../../crd/index.js';
import type { Unvalidated, UnvalidatedObject } from '../../unvalidated.js';
import { forbidden, immutable, invalidValue, isDNS1035Label, isDNS1123Subdomain, notSupported, required } from '../../validation/index.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { nameColumn } from '../common/table.js';
import { parseJsonPath } from './jsonpath.js';

type Crd = UnvalidatedObject<CustomResourceDefinition>;

const CRD_GROUP = 'apiextensions.k8s.io';
/** Set on a CRD when its deletion is asked for; cleared once every custom object is gone. */
export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

const PRINTER_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const PRINTER_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];

/** Upstream's v1 defaults: singular and listKind from kind, conversion None. */
function defaultCrd(crd: Crd): void {
  const spec = crd.spec;
  if (!spec || typeof spec !== 'object') return;
  const names = spec.names;
  if (names && typeof names === 'object' && typeof names.kind === 'string') {
    if (!names.singular) names.singular = names.kind.toLowerCase();
    if (!names.listKind) names.listKind = `${names.kind}List`;
  }
  if (!spec.conversion) spec.conversion = { strategy: 'None' };
}

function validateNames(n: Partial<CustomResourceDefinitionNames>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const label = (v: unknown, f: string, mixed = false) => {
    if (typeof v !== 'string' || v === '') return;
    const e = isDNS1035Label(mixed ? v.toLowerCase() : v);
    if (e.length)
      errs.push(invalidValue(`${path}.${f}`, v, mixed ? `may have mixed case, but should otherwise match: ${e.join(',')}` : e.join(',')));
  };
  label(n.plural, 'plural');
  label(n.singular, 'singular');
  label(n.kind, 'kind', true);
  label(n.listKind, 'listKind', true);
  (n.shortNames ?? []).forEach((s, i) => label(s, `shortNames[${i}]`));
  (n.categories ?? []).forEach((s, i) => label(s, `categories[${i}]`));
  if (n.kind && n.kind === n.listKind) errs.push(invalidValue(`${path}.listKind`, n.listKind, 'kind and listKind may not be the same'));
  return errs;
}

function validateSimplePath(p: unknown, field: string, under: readonly string[], detail: string): FieldError[] {
  if (typeof p !== 'string' || p === '') return [required(field)];
  if (!p.startsWith('.')) return [invalidValue(field, p, 'must be a simple json path starting with .')];
  if (!under.some((u) => p === u || p.startsWith(`${u}.`))) return [invalidValue(field, p, detail)];
  return [];
}

function validateVersion(v: Unvalidated<CustomResourceDefinitionVersion>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!v.name) errs.push(required(`${path}.name`));
  else {
    const e = isDNS1035Label(v.name);
    if (e.length) errs.push(invalidValue(`${path}.name`, v.name, e.join(',')));
  }
  const schema = v.schema?.openAPIV3Schema;
  if (!schema || typeof schema !== 'object') errs.push(required(`${path}.schema.openAPIV3Schema`, 'schemas are required'));
  // the schema passed the structural type check of the CRD definition (a JSONSchemaProps)
  else {
    errs.push(...validateCrdSchema(schema as JSONSchemaProps, `${path}.schema.openAPIV3Schema`));
    // with the status subresource, .status is validated on its own: the root may only use keywords that survive that
    if (v.subresources?.status) errs.push(...validateStatusRootSchema(schema as JSONSchemaProps, `${path}.schema`));
  }
  const scale = v.subresources?.scale;
  if (scale) {
    const sp = `${path}.subresources.scale`;
    errs.push(...validateSimplePath(scale.specReplicasPath, `${sp}.specReplicasPath`, ['.spec'], 'should be a json path under .spec'));
    errs.push(
      ...validateSimplePath(scale.statusReplicasPath, `${sp}.statusReplicasPath`, ['.status'], 'should be a json path under .status'),
    );
    if (scale.labelSelectorPath)
      errs.push(
        ...validateSimplePath(
          scale.labelSelectorPath,
          `${sp}.labelSelectorPath`,
          ['.spec', '.status'],
          'should be a json path under either .spec or .status',
        ),
      );
  }
  (v.additionalPrinterColumns ?? []).forEach((c, i) => {
    const cp = `${path}.additionalPrinterColumns[${i}]`;
    if (!c.name) errs.push(required(`${cp}.name`));
    const types = `must be one of ${PRINTER_TYPES.join(',')}`;
    if (!c.type) errs.push(required(`${cp}.type`, types));
    else if (!PRINTER_TYPES.includes(c.type)) errs.push(invalidValue(`${cp}.type`, c.type, types));
    if (c.format && !PRINTER_FORMATS.includes(c.format))
      errs.push(invalidValue(`${cp}.format`, c.format, `must be one of ${PRINTER_FORMATS.join(',')}`));
    if (!c.jsonPath) errs.push(required(`${cp}.jsonPath`));
    else if (!c.jsonPath.startsWith('.'))
      errs.push(invalidValue(`${cp}.jsonPath`, c.jsonPath, 'must be a simple json path starting with .'));
    else {
      try {
        parseJsonPath(c.jsonPath);
      } catch (e) {
        errs.push(invalidValue(`${cp}.jsonPath`, c.jsonPath, `is an invalid path: ${(e as Error).message}`));
      }
    }
  });
  return errs;
}

function validateCrd(crd: Crd, old: Crd | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd.spec;
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const names: Partial<CustomResourceDefinitionNames> = spec.names ?? {};
  const want = `${names.plural ?? ''}.${spec.group ?? ''}`;
  if (crd.metadata.name !== undefined && crd.metadata.name !== want)
    errs.push(invalidValue('metadata.name', crd.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  if (!spec.group) errs.push(required('spec.group'));
  else {
    const e = isDNS1123Subdomain(spec.group);
    if (e.length) errs.push(invalidValue('spec.group', spec.group, e.join(',')));
    else if (!spec.group.includes('.')) errs.push(invalidValue('spec.group', spec.group, 'should be a domain with at least one dot'));
  }
  if (!spec.scope) errs.push(required('spec.scope'));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced')
    errs.push(notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0) errs.push(required('spec.versions', 'must have exactly one version marked as storage version'));
  versions.forEach((v, i) => errs.push(...validateVersion(v, `spec.versions[${i}]`)));
  const vnames = versions.map((v) => v.name);
  if (new Set(vnames).size !== vnames.length) errs.push(invalidValue('spec.versions', vnames, 'must contain unique version names'));
  const storage = versions.filter((v) => v.storage === true).length;
  if (versions.length > 0 && storage !== 1)
    errs.push(invalidValue('spec.versions', vnames, 'must have exactly one version marked as storage version'));
  if (versions.length > 0 && !versions.some((v) => v.served === true))
    errs.push(invalidValue('spec.versions', vnames, 'must have at least one version marked as served'));
  if (!names.plural) errs.push(required('spec.names.plural'));
  if (!names.singular) errs.push(required('spec.names.singular'));
  if (!names.kind) errs.push(required('spec.names.kind'));
  if (!names.listKind) errs.push(required('spec.names.listKind'));
  errs.push(...validateNames(names, 'spec.names'));
  const conv = spec.conversion;
  if (conv) {
    if (!conv.strategy) errs.push(required('spec.conversion.strategy'));
    else if (conv.strategy === 'Webhook')
      errs.push(
        invalidValue(
          'spec.conversion.strategy',
          conv.strategy,
          'Webhook conversion is not supported by this server; use None (objects are served at every version with only apiVersion changed)',
        ),
      );
    else if (conv.strategy !== 'None') errs.push(notSupported('spec.conversion.strategy', conv.strategy, ['None', 'Webhook']));
    if (conv.strategy !== 'Webhook' && conv.webhook !== undefined)
      errs.push(forbidden('spec.conversion.webhook', 'should not be set when strategy is not set to Webhook'));
  }
  if (spec.preserveUnknownFields === true)
    errs.push(invalidValue('spec.preserveUnknownFields', true, 'must be false in order to use defaults in the schema'));
  if (old?.spec) {
    errs.push(...immutable('spec.scope', spec.scope, old.spec.scope));
    errs.push(...validateStoredVersions(crd));
  }
  return errs;
}

/** A version that ever stored objects stays in spec.versions until a migration removes it from status.storedVersions. */
function validateStoredVersions(crd: Crd): FieldError[] {
  const stored = crd.status?.storedVersions ?? [];
  const present = new Set((crd.spec?.versions ?? []).map((v) => v.name));
  const errs: FieldError[] = [];
  stored.forEach((v, i) => {
    if (!present.has(v))
      errs.push(
        invalidValue(
          `status.storedVersions[${i}]`,
          v,
          `missing from spec.versions; ${v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${v} and removes ${v} from status.storedVersions`,
        ),
      );
  });
  return errs;
}

function validateCrdStatus(crd: Crd): FieldError[] {
  return [...validateNames(crd.status?.acceptedNames ?? {}, 'status.acceptedNames'), ...validateStoredVersions(crd)];
}

export const crdKind = defineKind<CustomResourceDefinition>({
  group: CRD_GROUP,
  version: 'v1',
  kind: 'CustomResourceDefinition',
  listKind: 'CustomResourceDefinitionList',
  plural: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  namespaced: false,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
  subresources: [{ name: 'status', group: CRD_GROUP, version: 'v1', kind: 'CustomResourceDefinition', verbs: ['get', 'patch', 'update'] }],
  generation: true,
  hasStatus: true,
  defaults: defaultCrd,
  validate: validateCrd,
  validateStatus: validateCrdStatus,
  table: {
    columns: [
      nameColumn,
      { name: 'Created At', type: 'string', format: 'date', description: 'The time the object was created.', priority: 0 },
    ],
    row: (crd) => [crd.metadata.name ?? '', crd.metadata.creationTimestamp ?? ''],
  },
});
