// Label selectors as a query language: the string form (`app=web,tier in (a,b),!canary`) parsed into
// requirements, matching label sets, and the canonical string. Grammar, operator set, validation
// rules and error texts follow Kubernetes' label selector semantics. The structured form of API
// objects (`{matchLabels, matchExpressions}`) is read by src/api/label-selector.ts into the same matcher.

import { isQualifiedName, isValidLabelValue } from './label-names.js';
import { badRequest } from './errors.js';
import { parseInt64 } from './parse-int64.js';

/** Operators as Kubernetes spells them internally (`selection.Operator`). */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and de-duplicated when parsed from a string; as given for the structured form. */
  readonly values: readonly string[];
}

export interface LabelMatcher {
  /** All requirements (ANDed), sorted by key. Empty for "everything" and for "nothing". */
  readonly requirements: readonly LabelRequirement[];
  /** True when the selector does not restrict anything (matches every object). */
  readonly empty: boolean;
  /** True for the selector that matches no object (a null structured selector). */
  readonly nothing: boolean;
  matches(labels: Readonly<Record<string, string>> | undefined | null): boolean;
  /** The single value `key` must have (`key=v`, `key==v`, `key in (v)`), if the selector demands one. */
  requiresExactMatch(key: string): string | undefined;
  /** Canonical string form: requirements sorted by key, set values sorted. */
  toString(): string;
}

export { isQualifiedName, isValidLabelValue } from './label-names.js';

const invalidText = (field: string, value: unknown, detail: string) => `${field}: Invalid value: ${JSON.stringify(value)}: ${detail}`;

/** Several field errors rendered as one message, as upstream aggregates them. */
export function aggregateErrors(msgs: string[]): string {
  const uniq = [...new Set(msgs)];
  return uniq.length === 1 ? (uniq[0] ?? '') : `[${uniq.join(', ')}]`;
}

/** Checks one requirement; returns the error messages (empty when valid). `keyField` is the path shown for key errors. */
export function checkRequirement(key: string, op: LabelOperator, values: readonly string[], keyField = 'key'): string[] {
  const errs: string[] = [];
  const kErrs = isQualifiedName(key);
  if (kErrs.length) errs.push(invalidText(keyField, key, kErrs.join('; ')));
  switch (op) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(invalidText('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(invalidText('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(invalidText('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(invalidText('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined)
          errs.push(invalidText(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const vErrs = isValidLabelValue(v);
    if (vErrs.length) errs.push(invalidText(`values[${i}][${key}]`, v, vErrs.join('; ')));
  });
  return errs;
}

// ---------------------------------------------------------------- matching and printing

/** Membership in a requirement's values: a Set for long lists (a 1,500-value `in` is one lookup, not a scan). */
type ValueTest = (v: string) => boolean;
const SET_FROM = 8;
function valueTest(values: readonly string[]): ValueTest {
  if (values.length === 1) {
    const only = values[0];
    return (v) => v === only;
  }
  if (values.length < SET_FROM) return (v) => values.includes(v);
  const set = new Set(values);
  return (v) => set.has(v);
}

function requirementMatches(r: LabelRequirement, has: ValueTest, labels: Readonly<Record<string, string>> | undefined | null): boolean {
  const present = labels != null && Object.prototype.hasOwnProperty.call(labels, r.key);
  const val = present ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return present && has(val ?? '');
    case 'notin':
    case '!=':
      return !present || !has(val ?? '');
    case 'exists':
      return present;
    case '!':
      return !present;
    case 'gt':
    case 'lt': {
      if (!present || r.values.length !== 1) return false;
      const lv = parseInt64(val ?? '');
      const rv = parseInt64(r.values[0] ?? '');
      if (lv === undefined || rv === undefined) return false;
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
  }
}

/** One requirement as upstream prints it: `!k`, `k`, `k=v`, `k in (a,b)`, `k>1`. */
function requirementToString(r: LabelRequirement): string {
  const vals = () => (r.values.length === 1 ? (r.values[0] ?? '') : [...r.values].sort().join(','));
  switch (r.operator) {
    case '!':
      return `!${r.key}`;
    case 'exists':
      return r.key;
    case '=':
    case '==':
    case '!=':
      return `${r.key}${r.operator}${vals()}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${vals()})`;
    case 'gt':
      return `${r.key}>${vals()}`;
    case 'lt':
      return `${r.key}<${vals()}`;
  }
}

function byKey(a: LabelRequirement, b: LabelRequirement): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** The matcher for requirements ANDed (not validated here: see checkRequirement). */
export function makeMatcher(reqs: readonly LabelRequirement[], nothing = false): LabelMatcher {
  const requirements = Object.freeze([...reqs].sort(byKey));
  const tests = requirements.map((r) => valueTest(r.values));
  const text = nothing ? '' : requirements.map(requirementToString).join(',');
  return {
    requirements,
    empty: !nothing && requirements.length === 0,
    nothing,
    matches(labels) {
      if (nothing) return false;
      for (let i = 0; i < requirements.length; i++) if (!requirementMatches(requirements[i]!, tests[i]!, labels)) return false;
      return true;
    },
    requiresExactMatch(key) {
      if (nothing) return undefined;
      const r = requirements.find((x) => x.key === key);
      if (!r || !(r.operator === '=' || r.operator === '==' || r.operator === 'in') || r.values.length !== 1) return undefined;
      return r.values[0];
    },
    toString: () => text,
  };
}

const EVERYTHING = makeMatcher([]);
const NOTHING = makeMatcher([], true);
/** Matches every set of labels. */
export const everything = (): LabelMatcher => EVERYTHING;
/** Matches nothing at all. */
export const nothing = (): LabelMatcher => NOTHING;

/** A matcher demanding exactly these labels (no validation, as upstream's SelectorFromSet). */
export function selectorFromSet(set: Readonly<Record<string, string>> | undefined | null): LabelMatcher {
  if (!set) return EVERYTHING;
  return makeMatcher(Object.entries(set).map(([key, v]) => ({ key, operator: '=' as const, values: [v] })));
}

// ---------------------------------------------------------------- string parser

type Tok = 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'in' | '<' | '!=' | 'notin' | '(' | 'id';
interface Item {
  tok: Tok;
  lit: string;
}

const SYMBOLS = new Map<string, Tok>([
  [')', ')'],
  [',', ','],
  ['!', '!'],
  ['==', '=='],
  ['=', '='],
  ['>', '>'],
  ['<', '<'],
  ['!=', '!='],
  ['(', '('],
]);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => c === '=' || c === '!' || c === '(' || c === ')' || c === ',' || c === '>' || c === '<';

function lex(s: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && isSpace(s.charAt(i))) i++;
    if (i >= s.length) {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (isSpecial(s.charAt(i))) {
      // longest run of special characters that still forms a known operator
      let best: Item | undefined;
      let j = i;
      let buf = '';
      while (j < s.length && isSpecial(s.charAt(j))) {
        buf += s.charAt(j);
        const t = SYMBOLS.get(buf);
        if (t) {
          best = { tok: t, lit: buf };
          j++;
        } else if (best) break;
        else j++;
      }
      // every single special character is an operator, so `best` is always set here
      items.push(best ?? { tok: 'id', lit: buf });
      i += best ? best.lit.length : buf.length;
    } else {
      let j = i;
      while (j < s.length && !isSpecial(s.charAt(j)) && !isSpace(s.charAt(j))) j++;
      const lit = s.slice(i, j);
      items.push({ tok: lit === 'in' ? 'in' : lit === 'notin' ? 'notin' : 'id', lit });
      i = j;
    }
  }
}

class SyntaxErr extends Error {}
const OPERATORS_TEXT = 'in, notin, =, ==, !=, gt, lt';

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}
  /** In a value position the keywords `in`/`notin` are plain identifiers. */
  private peek(values = true): Item {
    const it = this.items[Math.min(this.pos, this.items.length - 1)] ?? { tok: 'eos', lit: '' };
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }
  private next(values = true): Item {
    const it = this.peek(values);
    if (this.pos < this.items.length - 1) this.pos++;
    return it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek();
      if (tok === 'eos') return reqs;
      if (tok !== 'id' && tok !== '!') throw new SyntaxErr(`found '${lit}', expected: !, identifier, or 'end of string'`);
      let r: LabelRequirement;
      try {
        r = this.requirement();
      } catch (e) {
        if (e instanceof SyntaxErr) throw new SyntaxErr(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      reqs.push(r);
      const t = this.next();
      if (t.tok === 'eos') return reqs;
      if (t.tok !== ',') throw new SyntaxErr(`found '${t.lit}', expected: ',' or 'end of string'`);
      const t2 = this.peek();
      if (t2.tok !== 'id' && t2.tok !== '!') throw new SyntaxErr(`found '${t2.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): LabelRequirement {
    let op: LabelOperator | undefined;
    let t = this.next();
    if (t.tok === '!') {
      op = '!';
      t = this.next();
    }
    if (t.tok !== 'id') throw new SyntaxErr(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const kErrs = isQualifiedName(key);
    if (kErrs.length) throw new SyntaxErr(invalidText('<nil>', key, kErrs.join('; ')));
    const la = this.peek().tok;
    if (op === undefined && (la === 'eos' || la === ',')) op = 'exists';
    if (op === undefined) {
      const o = this.next(false);
      const map: Partial<Record<Tok, LabelOperator>> = { in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt' };
      op = map[o.tok];
      if (!op) throw new SyntaxErr(`found '${o.lit}', expected: ${OPERATORS_TEXT}`);
    }
    let values: string[] = [];
    if (op === 'in' || op === 'notin') values = this.setValues();
    else if (op !== 'exists' && op !== '!') values = [this.exactValue()];
    const errs = checkRequirement(key, op, values);
    if (errs.length) throw new SyntaxErr(aggregateErrors(errs));
    return { key, operator: op, values };
  }

  private setValues(): string[] {
    const open = this.next();
    if (open.tok !== '(') throw new SyntaxErr(`found '${open.lit}' expected: '('`);
    const first = this.peek();
    if (first.tok === ')') {
      this.next();
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',') throw new SyntaxErr(`found '${first.lit}', expected: ',', ')' or identifier`);
    const set = new Set<string>();
    for (;;) {
      const t = this.next();
      if (t.tok === 'id') {
        set.add(t.lit);
        const la = this.peek();
        if (la.tok === ',') continue;
        if (la.tok === ')') break;
        throw new SyntaxErr(`found '${la.lit}', expected: ',' or ')'`);
      } else if (t.tok === ',') {
        if (set.size === 0) set.add(''); // "(," starts with an empty value
        const la = this.peek();
        if (la.tok === ')') {
          set.add('');
          break;
        } // ",)" ends with one
        if (la.tok === ',') {
          this.next();
          set.add('');
        } // ",," holds one
      } else {
        throw new SyntaxErr(`found '${t.lit}', expected: ',', or identifier`);
      }
    }
    this.next(); // the ')'
    return [...set].sort();
  }

  private exactValue(): string {
    const la = this.peek();
    if (la.tok === 'eos' || la.tok === ',') return '';
    const t = this.next();
    if (t.tok === 'id') return t.lit;
    throw new SyntaxErr(`found '${t.lit}', expected: identifier`);
  }
}

/**
 * Parses the string form of a label selector. An empty (or blank) string selects everything.
 * Throws a 400 BadRequest StatusError with upstream's message on bad syntax, keys or values.
 */
export function parseLabelSelector(selector: string): LabelMatcher {
  try {
    return makeMatcher(new Parser(lex(selector)).parse());
  } catch (e) {
    if (e instanceof SyntaxErr) throw badRequest(e.message);
    throw e;
  }
}
