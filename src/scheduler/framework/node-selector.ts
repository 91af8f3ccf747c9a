// Node selector terms (nodeAffinity): terms are ORed, requirements inside a term ANDed; operators
// In, NotIn, Exists, DoesNotExist, Gt, Lt on labels, and matchFields on metadata.name.

import type { NodeSelectorRequirement, NodeSelectorTerm } from './api-types.js';

export interface CompiledRequirement { key: string; op: string; values: readonly string[]; set: ReadonlySet<string>; num: number }
export interface CompiledTerm { labels: CompiledRequirement[]; fields: CompiledRequirement[]; empty: boolean }

const INT_RE = /^[+-]?[0-9]+$/;

function compileReq(r: NodeSelectorRequirement): CompiledRequirement {
  const values = r.values ?? [];
  const v0 = values[0] ?? '';
  return { key: r.key, op: r.operator, values, set: new Set(values), num: values.length === 1 && INT_RE.test(v0) ? Number(v0) : Number.NaN };
}

export function compileTerm(t: NodeSelectorTerm): CompiledTerm {
  const labels = (t.matchExpressions ?? []).map(compileReq);
  const fields = (t.matchFields ?? []).map(compileReq);
  return { labels, fields, empty: labels.length === 0 && fields.length === 0 };
}

function reqMatches(r: CompiledRequirement, value: string | undefined): boolean {
  switch (r.op) {
    case 'In': return value !== undefined && r.set.has(value);
    case 'NotIn': return value === undefined || !r.set.has(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt': case 'Lt': {
      if (value === undefined || Number.isNaN(r.num) || !INT_RE.test(value)) return false;
      const n = Number(value);
      return r.op === 'Gt' ? n > r.num : n < r.num;
    }
    default: return false;
  }
}

/** An empty term matches nothing (upstream). */
export function termMatchesNode(t: CompiledTerm, labels: Readonly<Record<string, string>>, nodeName: string): boolean {
  if (t.empty) return false;
  for (const r of t.labels) {
    const v = Object.prototype.hasOwnProperty.call(labels, r.key) ? labels[r.key] : undefined;
    if (!reqMatches(r, v)) return false;
  }
  for (const r of t.fields) {
    if (r.key !== 'metadata.name') return false;
    if (!reqMatches(r, nodeName)) return false;
  }
  return true;
}

export function anyTermMatches(terms: readonly CompiledTerm[], labels: Readonly<Record<string, string>>, nodeName: string): boolean {
  for (const t of terms) if (termMatchesNode(t, labels, nodeName)) return true;
  return false;
}

/** nodeSelector map: every pair must be present. */
export function selectorMapMatches(sel: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!sel) return true;
  for (const k in sel) if (labels[k] !== sel[k]) return false;
  return true;
}
