// Field selectors: `metadata.name=web,status.phase!=Running`. Terms are ANDed; values may escape
// `\`, `,` and `=` with a backslash. Which fields exist is the caller's business (see `fields()`).

import { badRequest } from './errors.js';

interface FieldRequirement {
  readonly field: string;
  readonly op: '=' | '!=';
  readonly value: string;
}

export interface FieldSelector {
  /** Sorted by their source text, as upstream sorts terms. */
  readonly requirements: readonly FieldRequirement[];
  /** True when nothing is required (an empty selector). */
  readonly empty: boolean;
  /** `get(field)` returns the object's value for a field; undefined counts as the empty string. */
  matches(get: (field: string) => string | undefined): boolean;
  /** The distinct fields used, in order of appearance, for the caller to check it supports them. */
  fields(): string[];
  /** The value `field` must equal, if an `=` term demands one. */
  requiresExactMatch(field: string): string | undefined;
  /** Canonical string form (values escaped, `==` shown as `=`). */
  toString(): string;
}

/** Escapes a literal for use as a field selector value. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Reverses escapeFieldValue; throws BadRequest on a bad escape or an unescaped `,`/`=`. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let slash = false;
  for (const c of s) {
    if (slash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      slash = false;
    } else if (c === '\\') {
      slash = true;
    } else if (c === ',' || c === '=') {
      // upstream prints the offending rune as its code point
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0) ?? 0}`);
    } else {
      out += c;
    }
  }
  if (slash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not escaped; escapes are kept in the parts. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let slash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (slash) slash = false;
    else if (c === '\\') slash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const TERM_OPS = ['!=', '==', '='] as const;

function splitTerm(term: string): { lhs: string; op: (typeof TERM_OPS)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

function make(reqs: FieldRequirement[]): FieldSelector {
  const requirements = Object.freeze(reqs);
  const text = requirements.map((r) => `${r.field}${r.op}${escapeFieldValue(r.value)}`).join(',');
  return {
    requirements,
    empty: requirements.length === 0,
    matches(get) {
      for (const r of requirements) {
        const v = get(r.field) ?? '';
        if ((v === r.value) !== (r.op === '=')) return false;
      }
      return true;
    },
    fields: () => [...new Set(requirements.map((r) => r.field))],
    requiresExactMatch(field) {
      return requirements.find((r) => r.field === field && r.op === '=')?.value;
    },
    toString: () => text,
  };
}

/**
 * Parses a field selector. An empty string selects everything. Whitespace is significant, as upstream.
 * Throws a 400 BadRequest StatusError on a term without an operator or a bad escape.
 */
export function parseFieldSelector(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    reqs.push({ field: t.lhs, op: t.op === '!=' ? '!=' : '=', value: unescapeFieldValue(t.rhs) });
  }
  return make(reqs);
}

/** A selector requiring each field to equal its value. */
export function fieldSelectorFromSet(set: Readonly<Record<string, string>>): FieldSelector {
  return make(
    Object.keys(set)
      .sort()
      .map((field) => ({ field, op: '=' as const, value: set[field] ?? '' })),
  );
}
