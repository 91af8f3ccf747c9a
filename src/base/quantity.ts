// Kubernetes resource quantities (`100m`, `1.5`, `2Gi`, `1e3`): exact parsing into a decimal
// (bigint mantissa x 10^scale, never a float), upstream's canonical string form, and conversions.

import { badRequest } from './errors.js';

type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface ParsedQuantity {
  /** value = unscaled x 10^scale, exactly; scale >= -9 (values are kept down to nano). */
  readonly unscaled: bigint;
  readonly scale: number;
  /** The suffix family the text used; canonical printing keeps it. */
  readonly format: QuantityFormat;
  /** Set when the source text was already canonical; upstream re-emits such text verbatim. */
  readonly text?: string;
}

export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const QUANTITY_NUMERIC_ERROR = 'unable to parse numeric part of quantity';
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

const DEC_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BIN_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DEC_BY_EXP = new Map(Object.entries(DEC_SUFFIX).map(([s, e]) => [e, s] as const));
const BIN_BY_EXP = new Map(Object.entries(BIN_SUFFIX).map(([s, e]) => [e, s] as const));
const SUFFIX_CHARS = 'eEinumkKMGTP';
const INT64_MAX = 2n ** 63n - 1n;
/** Exponents beyond this are refused rather than materialised (an API server must not build 10^1e9). */
const MAX_EXPONENT = 1000;

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

interface Scanned {
  negative: boolean;
  num: string;
  denom: string;
  suffix: string;
  numeric: string;
}

function scan(str: string): Scanned {
  let pos = 0;
  let negative = false;
  if (str[0] === '-') {
    negative = true;
    pos++;
  } else if (str[0] === '+') pos++;
  while (str[pos] === '0') pos++;
  if (pos >= str.length) return { negative, num: '0', denom: '', suffix: '', numeric: '0' };
  let start = pos;
  while (isDigit(str[pos])) pos++;
  const num = str.slice(start, pos) || '0';
  let denom = '';
  if (str[pos] === '.') {
    start = ++pos;
    while (isDigit(str[pos])) pos++;
    denom = str.slice(start, pos);
  }
  const suffixStart = pos;
  while (pos < str.length && SUFFIX_CHARS.includes(str.charAt(pos))) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (isDigit(str[pos])) pos++;
  if (pos < str.length) throw badRequest(QUANTITY_FORMAT_ERROR);
  return { negative, num, denom, suffix: str.slice(suffixStart), numeric: str.slice(0, suffixStart) };
}

function interpretSuffix(s: string): { base: 10 | 2; exponent: number; format: QuantityFormat } {
  const d = DEC_SUFFIX[s];
  if (d !== undefined) return { base: 10, exponent: d, format: 'DecimalSI' };
  const b = BIN_SUFFIX[s];
  if (b !== undefined) return { base: 2, exponent: b, format: 'BinarySI' };
  if (s.length > 1 && (s[0] === 'e' || s[0] === 'E') && /^[+-]?[0-9]+$/.test(s.slice(1))) {
    const exponent = Number(s.slice(1));
    if (Math.abs(exponent) > MAX_EXPONENT) throw badRequest(QUANTITY_NUMERIC_ERROR);
    return { base: 10, exponent, format: 'DecimalExponent' };
  }
  throw badRequest(QUANTITY_SUFFIX_ERROR);
}

/** Divides by 10^n rounding away from zero. */
function divRoundUp(v: bigint, n: number): bigint {
  const d = 10n ** BigInt(n);
  const q = v / d;
  if (q * d === v) return q;
  return v < 0n ? q - 1n : q + 1n;
}

/**
 * Parses a quantity (a JSON number is read as its text). Throws a 400 BadRequest StatusError with
 * upstream's message when malformed. Values finer than nano round away from zero; BinarySI values
 * are capped at 2^63-1 as upstream does.
 */
export function parseQuantity(input: string | number): ParsedQuantity {
  const str = typeof input === 'number' ? numberText(input) : input;
  if (str.length === 0) throw badRequest(QUANTITY_FORMAT_ERROR);
  if (str === '0') return { unscaled: 0n, scale: 0, format: 'DecimalSI', text: '0' };
  const { negative, num, denom, suffix, numeric } = scan(str);
  const { base, exponent, format } = interpretSuffix(suffix);
  const digits = num + denom;
  // Small values take upstream's integer fast path; the others are read as a decimal text, which needs a digit.
  const fast =
    format === 'BinarySI'
      ? denom.length === 0 && 15 - num.length - Math.trunc((exponent * 3) / 10) - 1 >= 0
      : digits.length <= 18 && exponent - denom.length >= -9;
  if (!fast && !/[0-9]/.test(numeric)) throw badRequest(QUANTITY_NUMERIC_ERROR);
  let unscaled = BigInt(digits);
  let scale = -denom.length;
  if (base === 10) scale += exponent;
  else unscaled *= 2n ** BigInt(exponent);
  if (negative) unscaled = -unscaled;

  // Upstream keeps the source text when it is small and already canonical.
  let text: string | undefined;
  if (fast && format === 'BinarySI') {
    if (compareAbs(unscaled, 0, INT64_MAX) <= 0 && (BigInt(digits) & 7n) !== 0n) text = str;
  } else if (fast && scale % 3 === 0 && !digits.endsWith('000') && digits[0] !== '0') {
    text = str;
  }

  if (unscaled !== 0n && scale < -9) {
    unscaled = divRoundUp(unscaled, -9 - scale);
    scale = -9;
  }
  let fmt = format;
  if (format === 'BinarySI') {
    if (compareAbs(unscaled, scale, INT64_MAX) > 0) {
      unscaled = negative ? -INT64_MAX : INT64_MAX;
      scale = 0;
      text = undefined;
    } else if (compareAbs(unscaled, scale, 1n) < 0 && unscaled !== 0n) fmt = 'DecimalSI';
  }
  return text !== undefined ? { unscaled, scale, format: fmt, text } : { unscaled, scale, format: fmt };
}

/** |unscaled x 10^scale| compared with the integer n. */
function compareAbs(unscaled: bigint, scale: number, n: bigint): number {
  const a = unscaled < 0n ? -unscaled : unscaled;
  const [l, r] = scale >= 0 ? [a * 10n ** BigInt(scale), n] : [a, n * 10n ** BigInt(-scale)];
  return l < r ? -1 : l > r ? 1 : 0;
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw badRequest(QUANTITY_FORMAT_ERROR);
  return String(n);
}

/** True when `s` parses as a quantity. */
export function isQuantity(s: string): boolean {
  try {
    parseQuantity(s);
    return true;
  } catch {
    return false;
  }
}

const asQuantity = (q: ParsedQuantity | string | number): ParsedQuantity => (typeof q === 'object' ? q : parseQuantity(q));

/** Strips factors of 10 into the exponent, then lowers the exponent to a multiple of 3. */
function canonicalDecimal(unscaled: bigint, scale: number): [bigint, number] {
  let m = unscaled;
  let e = scale;
  while (m % 10n === 0n) {
    m /= 10n;
    e++;
  }
  while (e % 3 !== 0) {
    m *= 10n;
    e--;
  }
  return [m, e];
}

/** The canonical text upstream serialises: `1500m` for 1.5, `1536Mi` for 1.5Gi, `2k` for 2000. */
export function formatQuantity(input: ParsedQuantity | string | number): string {
  const q = asQuantity(input);
  if (q.text !== undefined) return q.text;
  if (q.unscaled === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    if (compareAbs(q.unscaled, q.scale, 1024n) < 0) format = 'DecimalSI';
    else if (q.scale < 0 && q.unscaled % 10n ** BigInt(-q.scale) !== 0n) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let v = q.scale >= 0 ? q.unscaled * 10n ** BigInt(q.scale) : q.unscaled / 10n ** BigInt(-q.scale);
    let e = 0;
    while ((v >= 1024n || v <= -1024n) && v % 1024n === 0n) {
      v /= 1024n;
      e += 10;
    }
    return `${v}${BIN_BY_EXP.get(e) ?? ''}`;
  }
  const [m, e] = canonicalDecimal(q.unscaled, q.scale);
  if (e === 0) return `${m}`;
  if (format === 'DecimalSI') {
    const s = DEC_BY_EXP.get(e);
    if (s !== undefined) return `${m}${s}`;
  }
  return `${m}e${e}`;
}

// `<digits><suffix>` (`250m`, `512Mi`, `2`): most quantities in the wild. Their value is computed
// the way quantityToNumber computes it (decimal: digits and exponent read as one number; binary:
// an exact product below 2^53), without building a ParsedQuantity.
const SIMPLE = /^([0-9]{1,15})(m|k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$/;
const SIMPLE_EXP: Readonly<Record<string, string>> = { '': '', m: 'e-3', k: 'e3', M: 'e6', G: 'e9', T: 'e12', P: 'e15' };
const SIMPLE_BIN: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };

/** quantityToNumber(parseQuantity(input)), with a fast path for the common forms; throws like parseQuantity. */
export function quantityValue(input: string | number): number {
  if (typeof input === 'string') {
    const m = SIMPLE.exec(input);
    if (m) {
      const digits = m[1] as string;
      const suffix = m[2] ?? '';
      const bin = SIMPLE_BIN[suffix];
      return bin === undefined ? Number(`${digits}${SIMPLE_EXP[suffix] ?? ''}`) : Number(digits) * bin;
    }
  }
  return quantityToNumber(parseQuantity(input));
}

/** The value as a JavaScript number (nearest double; may be approximate for huge or very precise values). */
export function quantityToNumber(input: ParsedQuantity | string | number): number {
  const q = asQuantity(input);
  return Number(`${q.unscaled}e${q.scale}`);
}

/** The value in units of 10^unitScale, rounded away from zero. */
function scaledValue(q: ParsedQuantity, unitScale: number): bigint {
  const diff = q.scale - unitScale;
  return diff >= 0 ? q.unscaled * 10n ** BigInt(diff) : divRoundUp(q.unscaled, -diff);
}

/** Milli-units as an integer (`100m` -> 100, `1` -> 1000), rounded away from zero like upstream MilliValue. */
export function toMilli(input: ParsedQuantity | string | number): number {
  return Number(scaledValue(asQuantity(input), -3));
}

/** Whole units as an integer (`1500m` -> 2, `1Ki` -> 1024), rounded away from zero like upstream Value. */
export function toInteger(input: ParsedQuantity | string | number): number {
  return Number(scaledValue(asQuantity(input), 0));
}

/** -1, 0 or 1 as a < b, exactly. */
export function compareQuantities(a: ParsedQuantity | string | number, b: ParsedQuantity | string | number): -1 | 0 | 1 {
  const x = asQuantity(a);
  const y = asQuantity(b);
  const s = Math.min(x.scale, y.scale);
  const l = scaledValue(x, s);
  const r = scaledValue(y, s);
  return l < r ? -1 : l > r ? 1 : 0;
}

/** The exact sum; the result keeps the first operand's format, as upstream Add does. */
export function addQuantities(a: ParsedQuantity | string | number, b: ParsedQuantity | string | number): ParsedQuantity {
  const x = asQuantity(a);
  const y = asQuantity(b);
  const s = Math.min(x.scale, y.scale);
  return { unscaled: scaledValue(x, s) + scaledValue(y, s), scale: s, format: x.format };
}
