// Kubernetes resource.Quantity checks for object validation, on the one exact parser in
// src/base/quantity.ts (upstream's syntax and messages: format, numeric part, suffix).

import { StatusError, type FieldError } from '../../base/errors.js';
import { quantityValue, QUANTITY_FORMAT_ERROR } from '../../base/quantity.js';
import { invalidValue } from './field.js';

const QUANTITY_MESSAGE = QUANTITY_FORMAT_ERROR;

/** The value as a float (`100m` → 0.1, `1Gi` → 2^30, `1e3` → 1000), or NaN when `s` is not a quantity. */
export function quantityOrNaN(s: string | number): number {
  if (typeof s === 'number') return Number.isFinite(s) ? s : Number.NaN;
  try {
    return quantityValue(s);
  } catch {
    return Number.NaN;
  }
}

/** Syntax check (upstream's parse messages), plus `must be greater than or equal to 0` when `nonNegative`. */
export function validateQuantity(value: unknown, field: string, nonNegative = true): FieldError[] {
  if (typeof value !== 'string' && typeof value !== 'number') return [invalidValue(field, value, QUANTITY_MESSAGE)];
  let q: number;
  try {
    q = typeof value === 'number' ? quantityOrNaN(value) : quantityValue(value);
  } catch (e) {
    return [invalidValue(field, value, e instanceof StatusError ? e.message : QUANTITY_MESSAGE)];
  }
  if (Number.isNaN(q)) return [invalidValue(field, value, QUANTITY_MESSAGE)];
  if (nonNegative && q < 0) return [invalidValue(field, String(value), 'must be greater than or equal to 0')];
  return [];
}
