// meta/v1 LabelSelector: structure rules (matching and printing are src/api/label-selector.ts).

import type { FieldError } from '../../base/errors.js';
import { forbidden, invalidValue, required } from './field.js';
import { validateLabelName, validateLabels } from './labels.js';
import { isValidLabelValue } from './names.js';

import type { LabelSelector as LabelSelectorT } from '../gen/types.js';
import type { Unvalidated } from '../unvalidated.js';

type LabelSelector = Unvalidated<LabelSelectorT>;

export function validateLabelSelector(sel: LabelSelector | undefined, field: string): FieldError[] {
  if (!sel) return [];
  const errs: FieldError[] = [];
  (sel.matchExpressions ?? []).forEach((r, i) => {
    const p = `${field}.matchExpressions[${i}]`;
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalidValue(`${p}.operator`, r.operator, 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(r.key ?? '', `${p}.key`));
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(v)) errs.push(invalidValue(`${p}.values[${j}]`, v, m));
    });
  });
  errs.push(...validateLabels(sel.matchLabels, `${field}.matchLabels`));
  return errs;
}

/** True when the selector selects nothing in particular (no labels, no expressions). */
export const isEmptySelector = (sel: LabelSelector | undefined): boolean =>
  !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
