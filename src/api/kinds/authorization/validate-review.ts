// Validation of the access reviews, with upstream's rules and messages: exactly one of
// resourceAttributes or nonResourceAttributes; a SubjectAccessReview names a user or groups; the
// metadata of a question is empty (a LocalSubjectAccessReview keeps its namespace, and asks only
// about resources in that namespace); selector attributes are well formed.

import type { FieldError } from '../../../base/errors.js';
import type { ObjectMeta, SelfSubjectAccessReviewSpec, SubjectAccessReviewSpec } from '../../gen/types.js';
import type { Unvalidated } from '../../unvalidated.js';
import { forbidden, invalidValue, required, validateLabelName } from '../../validation/index.js';

type AccessSpec = Unvalidated<SubjectAccessReviewSpec>;
type SelfAccessSpec = Unvalidated<SelfSubjectAccessReviewSpec>;
type Requirement = { key?: string; operator?: string; values?: string[] };
type SelectorAttributes = { rawSelector?: string; requirements?: Requirement[] };

/** Go prints a nil pointer as "null" in field errors. */
const NIL = 'null';

function validateAttributesChoice(spec: SelfAccessSpec, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    errs.push(
      invalidValue(
        `${field}.nonResourceAttributes`,
        spec.nonResourceAttributes,
        'cannot be specified in combination with resourceAttributes',
      ),
    );
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    errs.push(
      invalidValue(`${field}.resourceAttributes`, NIL, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'),
    );
  }
  const ra = spec.resourceAttributes;
  if (ra) {
    errs.push(...validateSelector(ra.fieldSelector, `${field}.resourceAttributes.fieldSelector`, false));
    errs.push(...validateSelector(ra.labelSelector, `${field}.resourceAttributes.labelSelector`, true));
  }
  return errs;
}

/** Field and label selector attributes (unknown operators pass: newer clients may know more). */
function validateSelector(sel: SelectorAttributes | undefined, field: string, labels: boolean): FieldError[] {
  if (!sel) return [];
  const errs: FieldError[] = [];
  const reqs = sel.requirements ?? [];
  if (sel.rawSelector && reqs.length > 0) {
    errs.push(invalidValue(`${field}.rawSelector`, sel.rawSelector, 'may not specified at the same time as requirements'));
  }
  if (!sel.rawSelector && reqs.length === 0) {
    errs.push(required(`${field}.requirements`, `when ${field} is specified, requirements or rawSelector is required`));
  }
  reqs.forEach((r, i) => {
    const p = `${field}.requirements[${i}]`;
    if (labels) errs.push(...validateLabelName(r.key ?? '', `${p}.key`));
    else if (!r.key) errs.push(required(`${p}.key`, 'must be specified'));
    const n = (r.values ?? []).length;
    if ((r.operator === 'In' || r.operator === 'NotIn') && n === 0) {
      errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    }
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && n > 0) {
      errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    }
  });
  return errs;
}

/** A question carries no name, labels or other metadata (managedFields and a null creationTimestamp aside). */
function metadataEmpty(meta: Unvalidated<ObjectMeta>, except: string | undefined): boolean {
  for (const [k, v] of Object.entries(meta)) {
    if (k === 'managedFields' || k === except || v === undefined || v === null || v === '') continue;
    if (typeof v === 'object' && Object.keys(v).length === 0) continue;
    if (typeof v === 'number' && v === 0) continue;
    return false;
  }
  return true;
}

function validateSubjectAccessReviewSpec(spec: AccessSpec, field = 'spec'): FieldError[] {
  const errs = validateAttributesChoice(spec, field);
  if (!spec.user && (spec.groups ?? []).length === 0) {
    errs.push(invalidValue(`${field}.user`, spec.user ?? '', 'at least one of user or group must be specified'));
  }
  return errs;
}

export function validateSubjectAccessReview(meta: Unvalidated<ObjectMeta>, spec: AccessSpec): FieldError[] {
  const errs = validateSubjectAccessReviewSpec(spec);
  if (!metadataEmpty(meta, undefined)) errs.push(invalidValue('metadata', meta, 'must be empty'));
  return errs;
}

export function validateSelfSubjectAccessReview(meta: Unvalidated<ObjectMeta>, spec: SelfAccessSpec): FieldError[] {
  const errs = validateAttributesChoice(spec, 'spec');
  if (!metadataEmpty(meta, undefined)) errs.push(invalidValue('metadata', meta, 'must be empty'));
  return errs;
}

export function validateLocalSubjectAccessReview(meta: Unvalidated<ObjectMeta>, spec: AccessSpec): FieldError[] {
  const errs = validateSubjectAccessReviewSpec(spec);
  if (!metadataEmpty(meta, 'namespace')) errs.push(invalidValue('metadata', meta, 'must be empty except for namespace'));
  const ra = spec.resourceAttributes;
  if (ra && (ra.namespace ?? '') !== (meta.namespace ?? '')) {
    errs.push(invalidValue('spec.resourceAttributes.namespace', ra.namespace ?? '', 'must match metadata.namespace'));
  }
  if (spec.nonResourceAttributes) {
    errs.push(invalidValue('spec.nonResourceAttributes', spec.nonResourceAttributes, 'disallowed on this kind of request'));
  }
  return errs;
}
