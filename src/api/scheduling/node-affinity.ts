// Node selectors and required node affinity, as upstream's component-helpers match them: terms are
// ORed and the requirements of a term ANDed; In, NotIn, Exists, DoesNotExist, Gt and Lt on labels;
// matchFields only on metadata.name. Gt and Lt compare base-10 64-bit integers (Go's
// strconv.ParseInt): a label or a value that is not one (`"12abc"`, `" 5"`, `"0x10"`) never matches,
// and a requirement that is not valid (Gt with two values, an unknown operator) makes its term match
// nothing. Compiled once per pod, matched per node.

import { parseInt64 } from '../../base/parse-int64.js';
import type { NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PodSpec } from '../gen/types.js';

interface CompiledRequirement {
  readonly key: string;
  readonly op: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  readonly set: ReadonlySet<string>;
  /** the bound of Gt/Lt */
  readonly bound: bigint;
}
export interface CompiledTerm {
  readonly labels: readonly CompiledRequirement[];
  readonly fields: readonly CompiledRequirement[];
  /** An empty term, or one with an invalid requirement: matches nothing. */
  readonly never: boolean;
}

const OPS: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']);

function compileRequirement(r: NodeSelectorRequirement): CompiledRequirement | undefined {
  if (!OPS.has(r.operator)) return undefined;
  const op = r.operator as CompiledRequirement['op'];
  const values = r.values ?? [];
  let bound = 0n;
  if (op === 'Gt' || op === 'Lt') {
    const b = values.length === 1 ? parseInt64(values[0] ?? '') : undefined;
    if (b === undefined) return undefined;
    bound = b;
  }
  return { key: r.key, op, set: new Set(values), bound };
}

export function compileTerm(t: NodeSelectorTerm): CompiledTerm {
  const labels: CompiledRequirement[] = [];
  const fields: CompiledRequirement[] = [];
  let never = (t.matchExpressions ?? []).length === 0 && (t.matchFields ?? []).length === 0;
  for (const r of t.matchExpressions ?? []) {
    const c = compileRequirement(r);
    if (c) labels.push(c);
    else never = true;
  }
  for (const r of t.matchFields ?? []) {
    const c = compileRequirement(r);
    if (c && r.key === 'metadata.name') fields.push(c);
    else never = true;
  }
  return { labels, fields, never };
}

function requirementMatches(r: CompiledRequirement, value: string | undefined): boolean {
  switch (r.op) {
    case 'In':
      return value !== undefined && r.set.has(value);
    case 'NotIn':
      return value === undefined || !r.set.has(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const n = value === undefined ? undefined : parseInt64(value);
      if (n === undefined) return false;
      return r.op === 'Gt' ? n > r.bound : n < r.bound;
    }
  }
}

const own = (labels: Readonly<Record<string, string>>, k: string) =>
  Object.prototype.hasOwnProperty.call(labels, k) ? labels[k] : undefined;

export function termMatches(t: CompiledTerm, labels: Readonly<Record<string, string>>, nodeName: string): boolean {
  if (t.never) return false;
  for (const r of t.labels) if (!requirementMatches(r, own(labels, r.key))) return false;
  for (const r of t.fields) if (!requirementMatches(r, nodeName)) return false;
  return true;
}

function anyTermMatches(terms: readonly CompiledTerm[], labels: Readonly<Record<string, string>>, nodeName: string): boolean {
  for (const t of terms) if (termMatches(t, labels, nodeName)) return true;
  return false;
}

/** A nodeSelector map: every pair must be present. */
function selectorMapMatches(sel: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!sel) return true;
  for (const k in sel) if (own(labels, k) !== sel[k]) return false;
  return true;
}

/** A pod's required node placement, compiled: its nodeSelector and its required node affinity terms. */
export interface RequiredNodeAffinity {
  readonly nodeSelector: Readonly<Record<string, string>> | undefined;
  /** undefined: no required node affinity (every node passes that part) */
  readonly terms: readonly CompiledTerm[] | undefined;
}

export function requiredNodeAffinity(spec: Pick<PodSpec, 'nodeSelector' | 'affinity'> | undefined): RequiredNodeAffinity {
  const sel: NodeSelector | undefined = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  // validation requires terms, but a stored object is read defensively: no terms match nothing
  return { nodeSelector: spec?.nodeSelector, terms: sel ? (sel.nodeSelectorTerms ?? []).map(compileTerm) : undefined };
}

/** Upstream's RequiredNodeAffinity.Match: the nodeSelector and (when present) one of the terms. */
export function matchesRequired(a: RequiredNodeAffinity, labels: Readonly<Record<string, string>>, nodeName: string): boolean {
  if (!selectorMapMatches(a.nodeSelector, labels)) return false;
  return a.terms === undefined || anyTermMatches(a.terms, labels, nodeName);
}
