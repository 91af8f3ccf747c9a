// The structured label selector of API objects (`{matchLabels, matchExpressions}`): its matcher,
// whether it matches a label set, and its string forms. One module for every reader (API
// validation and printing, the scheduler, the controllers); the string query form and the matcher
// itself live in src/base/label-selector.ts. Validation of the structure is api/validation/label-selector.ts.

import { badRequest } from '../base/errors.js';
import {
  aggregateErrors,
  checkRequirement,
  everything,
  makeMatcher,
  nothing,
  type LabelMatcher,
  type LabelOperator,
  type LabelRequirement,
} from '../base/label-selector.js';
import type { LabelSelector } from './gen/types.js';
import type { Unvalidated } from './unvalidated.js';

type Selector = Unvalidated<LabelSelector>;

const OPS: Readonly<Record<string, LabelOperator>> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * The matcher of a structured selector (upstream's LabelSelectorAsSelector): null or undefined
 * matches nothing, `{}` matches everything. Throws a 400 BadRequest when the selector is invalid.
 */
export function fromLabelSelector(sel: Selector | null | undefined): LabelMatcher {
  if (sel == null) return nothing();
  const ml = sel.matchLabels ?? {};
  const me = sel.matchExpressions ?? [];
  const keys = Object.keys(ml).sort();
  if (keys.length + me.length === 0) return everything();
  const reqs: LabelRequirement[] = [];
  for (const k of keys) {
    const v = ml[k] ?? '';
    const errs = checkRequirement(k, '=', [v]);
    if (errs.length) throw badRequest(aggregateErrors(errs));
    reqs.push({ key: k, operator: '=', values: [v] });
  }
  for (const e of me) {
    const op = OPS[e.operator ?? ''];
    if (!op) throw badRequest(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    const values = [...(e.values ?? [])];
    const errs = checkRequirement(e.key ?? '', op, values);
    if (errs.length) throw badRequest(aggregateErrors(errs));
    reqs.push({ key: e.key ?? '', operator: op, values });
  }
  return makeMatcher(reqs);
}

/** True when the selector matches the labels; an absent or invalid selector matches nothing. */
export function selectorMatches(sel: Selector | null | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  try {
    return fromLabelSelector(sel).matches(labels ?? {});
  } catch {
    return false;
  }
}

/**
 * The canonical string of a selector (`app=web,tier in (a,b),!legacy`: requirements by key, values
 * sorted), as upstream's printers and the Scale subresource show it: '' when it selects everything
 * or nothing, `<error>` when it is invalid.
 */
export function selectorString(sel: Selector | null | undefined): string {
  try {
    return fromLabelSelector(sel).toString();
  } catch {
    return '<error>';
  }
}

/** Upstream's FormatLabelSelector (kubectl describe): the canonical string, `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(sel: Selector | null | undefined): string {
  const s = selectorString(sel);
  return s === '' ? '<none>' : s;
}
