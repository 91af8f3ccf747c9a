// Resource-name and resource-list rules shared by ResourceQuota and LimitRange (upstream's
// validateResourceName family): a qualified name, standard unless it has a domain, a non-negative
// quantity, whole units for counted resources.

import type { FieldError } from '../../../base/errors.js';
import { parseQuantity } from '../../../base/quantity.js';
import { isIntegerResourceName, isStandardContainerResourceName, isStandardResourceName } from '../../quota/names.js';
import { invalidValue, isQualifiedName, validateQuantity } from '../../validation/index.js';

/** A resource name: qualified, and one of the standard names when it has no `/`. */
export function validateResourceName(name: string, field: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalidValue(field, name, m));
  if (errs.length) return errs;
  if (!name.includes('/') && !isStandardResourceName(name))
    return [invalidValue(field, name, 'must be a standard resource type or fully qualified')];
  return [];
}

/** A name containers may request or be limited in. */
export function validateContainerResourceName(name: string, field: string): FieldError[] {
  const errs = validateResourceName(name, field);
  if (errs.length) return errs;
  if (!name.includes('/') && !isStandardContainerResourceName(name))
    return [invalidValue(field, name, 'must be a standard resource for containers')];
  return [];
}

/** A non-negative quantity, whole for counted resources. */
export function validateResourceQuantity(name: string, value: unknown, field: string): FieldError[] {
  const errs = validateQuantity(value, field);
  if (errs.length) return errs;
  if (isIntegerResourceName(name)) {
    const q = parseQuantity(value as string | number);
    const whole = q.scale >= 0 || q.unscaled % 10n ** BigInt(-q.scale) === 0n;
    if (!whole) return [invalidValue(field, value, 'must be an integer')];
  }
  return [];
}
