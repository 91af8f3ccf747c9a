// Rules shared by Deployments, ReplicaSets and DaemonSets: selector vs template, int-or-percent.

import type { FieldError } from '../../../base/errors.js';
import { regexError } from '../../../base/label-names.js';
import { immutable, invalidValue, isEmptySelector, nonNegative, required, validateLabelSelector } from '../../validation/index.js';
import { selectorMatches } from '../../label-selector.js';
import { validateWorkloadTemplate } from '../core/pod/template.js';
import type { IntOrString, LabelSelector, PodTemplateSpec } from '../../gen/types.js';
import type { Unvalidated } from '../../unvalidated.js';

/** What the selector and template rules read of a Deployment, ReplicaSet or DaemonSet. */
interface SelectorAndTemplate {
  spec?: { selector?: Unvalidated<LabelSelector>; template?: Unvalidated<PodTemplateSpec> };
}

const PERCENT_RE = /^[0-9]+%$/;
const PERCENT_MSG = regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%');

/** A non-negative integer or a percent string. */
export function validateIntOrPercent(v: IntOrString | undefined, field: string): FieldError[] {
  if (v === undefined) return [];
  if (typeof v === 'string') return PERCENT_RE.test(v) ? [] : [invalidValue(field, v, PERCENT_MSG)];
  return nonNegative(field, v);
}

/** Percent strings above 100% are invalid. */
export function validateNotOver100Percent(v: IntOrString | undefined, field: string): FieldError[] {
  if (typeof v !== 'string' || !PERCENT_RE.test(v)) return [];
  return Number.parseInt(v, 10) > 100 ? [invalidValue(field, v, 'must not be greater than 100%')] : [];
}

/** 0 or 0% */
export const isZero = (v: IntOrString | undefined): boolean => v === undefined || v === 0 || v === '0%';

/**
 * Selector required, valid, not empty, matching the template labels; template valid for a
 * long-running workload; on update the selector is immutable.
 */
export function validateSelectorAndTemplate(
  obj: SelectorAndTemplate,
  old: SelectorAndTemplate | undefined,
  emptyText: string,
  kindText: string,
): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  const sel = spec.selector;
  if (!sel) errs.push(required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (isEmptySelector(sel)) errs.push(invalidValue('spec.selector', sel, emptyText));
  }
  if (!spec.template) errs.push(required('spec.template'));
  else {
    const labels = spec.template.metadata?.labels ?? {};
    if (sel && !isEmptySelector(sel) && !selectorMatches(sel, labels)) {
      errs.push(invalidValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
    }
    errs.push(...validateWorkloadTemplate(spec.template, 'spec.template', kindText));
  }
  if (old) errs.push(...immutable('spec.selector', spec.selector, old.spec?.selector));
  return errs;
}
