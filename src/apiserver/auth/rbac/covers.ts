// Whether the rules a user holds cover a set of rules they want to grant (upstream's escalation
// check): each wanted rule is broken down into single (group, resource, verb[, name]) or (URL, verb)
// permissions, and each must be covered by one held rule. What is missing is reported compacted
// (permissions on the same group and resource share one line) in upstream's notation.

import type { PolicyRule } from '../../../api/gen/types.js';
import { nonResourceURLMatches } from './rule-match.js';

const has = (list: readonly string[] | undefined, v: string): boolean => (list ?? []).includes(v);
const hasAll = (list: readonly string[] | undefined, want: readonly string[] | undefined): boolean =>
  (want ?? []).every((w) => has(list, w));

/** One rule per single permission it grants. */
function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const g of rule.apiGroups ?? []) {
    for (const r of rule.resources ?? []) {
      for (const v of rule.verbs) {
        if (rule.resourceNames?.length)
          for (const n of rule.resourceNames) out.push({ apiGroups: [g], resources: [r], verbs: [v], resourceNames: [n] });
        else out.push({ apiGroups: [g], resources: [r], verbs: [v] });
      }
    }
  }
  for (const u of rule.nonResourceURLs ?? []) for (const v of rule.verbs) out.push({ nonResourceURLs: [u], verbs: [v] });
  return out;
}

function resourcesCoverAll(held: readonly string[], wanted: readonly string[]): boolean {
  if (has(held, '*')) return true;
  return wanted.every((w) => {
    if (has(held, w)) return true;
    const slash = w.indexOf('/');
    return slash >= 0 && has(held, `*/${w.slice(slash + 1)}`);
  });
}

/** True when the held rule grants everything the (broken-down) wanted rule does. */
function ruleCovers(held: PolicyRule, wanted: PolicyRule): boolean {
  const verbs = has(held.verbs, '*') || hasAll(held.verbs, wanted.verbs);
  const groups = has(held.apiGroups, '*') || hasAll(held.apiGroups, wanted.apiGroups);
  const resources = resourcesCoverAll(held.resources ?? [], wanted.resources ?? []);
  const urls = (wanted.nonResourceURLs ?? []).every((u) => (held.nonResourceURLs ?? []).some((h) => nonResourceURLMatches(h, u)));
  const names = !wanted.resourceNames?.length
    ? !held.resourceNames?.length
    : !held.resourceNames?.length || hasAll(held.resourceNames, wanted.resourceNames);
  return verbs && groups && resources && urls && names;
}

/** The single permissions of `wanted` that no rule of `held` covers (empty: held covers wanted). */
export function missingRules(held: readonly PolicyRule[], wanted: readonly PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const w of wanted) for (const sub of breakdownRule(w)) if (!held.some((h) => ruleCovers(h, sub))) missing.push(sub);
  return missing;
}

/** Joins rules on one group and one resource (and at most one name) into one rule with all their verbs. */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple =
      (r.resourceNames?.length ?? 0) <= 1 && !r.nonResourceURLs?.length && r.apiGroups?.length === 1 && r.resources?.length === 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups, r.resources, r.resourceNames ?? []]);
    const found = simple.get(key);
    if (!found) simple.set(key, { ...r, verbs: [...r.verbs] });
    else for (const v of r.verbs) if (!found.verbs.includes(v)) found.verbs.push(v);
  }
  return [...out, ...simple.values()];
}

/** Go's %q of a string list: `["a" "b"]`. */
const q = (list: readonly string[]): string => `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;

/** Upstream's compact notation: `{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}`. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${q(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${q(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${q(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${q(r.resourceNames)}`);
  if (r.verbs.length) parts.push(`Verbs:${q(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

export const goQuotedList = q;
