// Constructors for FieldError values with upstream's error types, and path helpers.

import type { FieldError } from '../../base/errors.js';

export const required = (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, detail });
export const invalidValue = (field: string, value: unknown, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  value,
  detail,
});
export const forbidden = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });
export const duplicate = (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, value, detail: '' });
export const tooLong = (field: string, maxBytes: number): FieldError => ({
  type: 'FieldValueTooLong',
  field,
  detail: `must have at most ${maxBytes} bytes`,
});
/** `supported values: "Always", "OnFailure", "Never"` (in the order given). */
export const notSupported = (field: string, value: unknown, valid: readonly string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  value,
  detail: `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}`,
});

/** Immutability check shared by every update rule: `field is immutable`. */
export function immutable(field: string, now: unknown, before: unknown): FieldError[] {
  return jsonEqual(now, before) ? [] : [invalidValue(field, now, 'field is immutable')];
}

/** Structural equality of JSON values (key order ignored; undefined members ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ar = a as Record<string, unknown>,
      br = b as Record<string, unknown>;
    const ka = Object.keys(ar).filter((k) => ar[k] !== undefined),
      kb = Object.keys(br).filter((k) => br[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => jsonEqual(ar[k], br[k]));
  }
  return false;
}

export const nonNegative = (field: string, value: number | undefined): FieldError[] =>
  value !== undefined && value < 0 ? [invalidValue(field, value, 'must be greater than or equal to 0')] : [];
export const positive = (field: string, value: number | undefined): FieldError[] =>
  value !== undefined && value <= 0 ? [invalidValue(field, value, 'must be greater than zero')] : [];
