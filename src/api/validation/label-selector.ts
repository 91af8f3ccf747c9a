// meta/v1 LabelSelector: structure rules, and its string form as kubectl prints it.

import type { FieldError } from '../../base/errors.js';
import { forbidden, invalidValue, required } from './field.js';
import { validateLabelName, validateLabels } from './labels.js';
import { isValidLabelValue } from './names.js';

export interface LabelSelectorRequirement { key: string; operator: string; values?: string[] }
export interface LabelSelector { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] }

export function validateLabelSelector(sel: LabelSelector | undefined, field: string): FieldError[] {
  if (!sel) return [];
  const errs: FieldError[] = [];
  (sel.matchExpressions ?? []).forEach((r, i) => {
    const p = `${field}.matchExpressions[${i}]`;
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalidValue(`${p}.operator`, r.operator, 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(r.key ?? '', `${p}.key`));
    values.forEach((v, j) => { for (const m of isValidLabelValue(v)) errs.push(invalidValue(`${p}.values[${j}]`, v, m)); });
  });
  errs.push(...validateLabels(sel.matchLabels, `${field}.matchLabels`));
  return errs;
}

/** True when the selector selects nothing in particular (no labels, no expressions). */
export const isEmptySelector = (sel: LabelSelector | undefined): boolean =>
  !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);

/** Does the selector match a label set? (Unknown operators match nothing.) */
export function selectorMatches(sel: LabelSelector | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const val = l[r.key];
    const vals = r.values ?? [];
    switch (r.operator) {
      case 'In': if (!has || val === undefined || !vals.includes(val)) return false; break;
      case 'NotIn': if (has && val !== undefined && vals.includes(val)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** `app=web,tier in (a,b),!legacy` — requirements sorted by key, values sorted; `<none>`-free: '' when empty. */
export function formatLabelSelector(sel: LabelSelector | undefined): string {
  if (!sel) return '';
  const reqs: Array<{ key: string; text: string }> = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const r of sel.matchExpressions ?? []) {
    const vals = [...(r.values ?? [])].sort().join(',');
    const text = r.operator === 'In' ? `${r.key} in (${vals})` : r.operator === 'NotIn' ? `${r.key} notin (${vals})`
      : r.operator === 'Exists' ? r.key : r.operator === 'DoesNotExist' ? `!${r.key}` : '';
    if (!text) return '<invalid>';
    reqs.push({ key: r.key, text });
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}
