// metadata validation shared by every kind (upstream's ValidateObjectMeta / ValidateObjectMetaUpdate).

import type { FieldError } from '../../base/errors.js';
import type { ObjectMeta, OwnerReference } from '../object.js';
import { forbidden, immutable, invalidValue, nonNegative, required } from './field.js';
import { validateAnnotations, validateLabels } from './labels.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPathSegmentName } from './names.js';

type NameRule = 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label' | 'path-segment';

export interface ObjectMetaOptions {
  namespaced: boolean;
  /** Default `dns1123-subdomain`. */
  nameRule?: NameRule;
}

const nameCheckers: Record<NameRule, (v: string) => string[]> = {
  'dns1123-subdomain': isDNS1123Subdomain,
  'dns1123-label': isDNS1123Label,
  'dns1035-label': isDNS1035Label,
  'path-segment': isValidPathSegmentName,
};

/** Checks a name; with `prefix` (generateName) a trailing '-' is allowed. */
function checkName(rule: NameRule, name: string, prefix: boolean): string[] {
  const v = prefix && name.endsWith('-') && rule !== 'path-segment' ? `${name.slice(0, -1)}a` : name;
  return nameCheckers[rule](v);
}

function validateOwnerReferences(refs: readonly OwnerReference[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let controllers = 0;
  for (const r of refs ?? []) {
    if (!r.apiVersion) errs.push(invalidValue(`${field}.apiVersion`, r.apiVersion ?? '', 'version must not be empty'));
    if (!r.kind) errs.push(invalidValue(`${field}.kind`, r.kind ?? '', 'kind must not be empty'));
    if (!r.name) errs.push(invalidValue(`${field}.name`, r.name ?? '', 'name must not be empty'));
    if (!r.uid) errs.push(invalidValue(`${field}.uid`, r.uid ?? '', 'uid must not be empty'));
    if (r.controller) controllers++;
  }
  if (controllers > 1) errs.push(invalidValue(field, refs, 'Only one reference can have Controller set to true'));
  return errs;
}

function validateFinalizers(finalizers: readonly string[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const f of finalizers ?? []) {
    for (const m of isQualifiedName(f)) errs.push(invalidValue(field, f, m));
    if (seen.has(f)) errs.push({ type: 'FieldValueDuplicate', field, value: f, detail: '' });
    seen.add(f);
  }
  return errs;
}

/** Create and update rules for metadata; pass `old` on update to get the immutability rules. */
export function validateObjectMeta(meta: ObjectMeta, opts: ObjectMetaOptions, old?: ObjectMeta): FieldError[] {
  const rule = opts.nameRule ?? 'dns1123-subdomain';
  const errs: FieldError[] = [];
  if (meta.generateName) {
    for (const m of checkName(rule, meta.generateName, true)) errs.push(invalidValue('metadata.generateName', meta.generateName, m));
  }
  if (!meta.name) {
    if (!meta.generateName) errs.push(required('metadata.name', 'name or generateName is required'));
  } else {
    for (const m of checkName(rule, meta.name, false)) errs.push(invalidValue('metadata.name', meta.name, m));
  }
  if (opts.namespaced) {
    if (!meta.namespace) errs.push(required('metadata.namespace'));
    else for (const m of isDNS1123Label(meta.namespace)) errs.push(invalidValue('metadata.namespace', meta.namespace, m));
  } else if (meta.namespace) {
    errs.push(forbidden('metadata.namespace', 'not allowed on this type'));
  }
  errs.push(...nonNegative('metadata.generation', meta.generation));
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(meta.ownerReferences, 'metadata.ownerReferences'));
  errs.push(...validateFinalizers(meta.finalizers, 'metadata.finalizers'));
  if (old) {
    errs.push(...immutable('metadata.name', meta.name, old.name));
    errs.push(...immutable('metadata.namespace', meta.namespace, old.namespace));
    errs.push(...immutable('metadata.uid', meta.uid, old.uid));
    errs.push(...immutable('metadata.creationTimestamp', meta.creationTimestamp, old.creationTimestamp));
  }
  return errs;
}
