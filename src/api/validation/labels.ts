// Labels and annotations maps.

import type { FieldError } from '../../base/errors.js';
import { invalidValue, tooLong } from './field.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateLabelName(key: string, field: string): FieldError[] {
  return isQualifiedName(key).map((m) => invalidValue(field, key, m));
}

/** Keys must be qualified names, values label values; errors sit at the map's path (upstream's way). */
export function validateLabels(labels: Readonly<Record<string, string>> | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, field));
    for (const m of isValidLabelValue(String(v))) errs.push(invalidValue(field, v, m));
  }
  return errs;
}

/** Keys must be qualified names (compared lower-cased); keys plus values at most 256 KiB in total. */
export function validateAnnotations(annotations: Readonly<Record<string, string>> | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalidValue(field, k, m));
    total += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}
