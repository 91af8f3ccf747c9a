// Kubernetes resource.Quantity syntax: a decimal number followed by a binary-SI suffix (Ki..Ei),
// a decimal-SI suffix (n, u, m, '', k, M, G, T, P, E) or a decimal exponent (e3, E-2).

import type { FieldError } from '../../base/errors.js';
import { invalidValue } from './field.js';

export const QUANTITY_REGEX_TEXT = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const QUANTITY_MESSAGE = `quantities must match the regular expression '${QUANTITY_REGEX_TEXT}'`;

const NUMBER_RE = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)/;
const MULTIPLIERS: Readonly<Record<string, number>> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const EXPONENT_RE = /^[eE]([+-]?[0-9]+)$/;

/** The value as a float (`100m` → 0.1, `1Gi` → 2^30, `1e3` → 1000), or NaN when `s` is not a quantity. */
export function parseQuantity(s: string | number): number {
  if (typeof s === 'number') return Number.isFinite(s) ? s : Number.NaN;
  const m = NUMBER_RE.exec(s);
  if (!m) return Number.NaN;
  const num = Number(m[0]);
  const suffix = s.slice(m[0].length);
  const mult = MULTIPLIERS[suffix];
  if (mult !== undefined) return num * mult;
  const e = EXPONENT_RE.exec(suffix);
  if (e?.[1] !== undefined) return num * 10 ** Number(e[1]);
  return Number.NaN;
}

export const isQuantity = (s: string | number): boolean => !Number.isNaN(parseQuantity(s));

/** Syntax check, plus `must be greater than or equal to 0` when `nonNegative`. */
export function validateQuantity(value: unknown, field: string, nonNegative = true): FieldError[] {
  if (typeof value !== 'string' && typeof value !== 'number') return [invalidValue(field, value, QUANTITY_MESSAGE)];
  const q = parseQuantity(value);
  if (Number.isNaN(q)) return [invalidValue(field, value, QUANTITY_MESSAGE)];
  if (nonNegative && q < 0) return [invalidValue(field, String(value), 'must be greater than or equal to 0')];
  return [];
}
