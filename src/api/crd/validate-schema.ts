// validateCrdSchema: the checks a CRD version's openAPIV3Schema must pass, in upstream's order: structural
// rules first (and, when those hold, the defaults), then keyword rules. Schemas that use keywords a
// structural schema cannot express (e.g. $ref) get only the keyword errors, as upstream reports them.

import type { FieldError } from '../../base/errors.js';
import { child, type Schema } from './access.js';
import { checkKeywords, unconvertible } from './keywords.js';
import { normalizeSchema } from './normalize.js';
import { defaultErrors, structuralErrors } from './structural.js';

export function validateCrdSchema(raw: Schema, fieldPath: string): FieldError[] {
  const schema = normalizeSchema(raw);
  const errs: FieldError[] = [];
  if (schema.nullable)
    errs.push({ type: 'FieldValueForbidden', field: child(fieldPath, 'nullable'), detail: 'nullable cannot be true at the root' });
  if (!unconvertible(schema)) {
    const structural = structuralErrors(schema, fieldPath);
    if (structural.length) errs.push(...structural);
    else defaultErrors(schema, fieldPath, true, false, errs);
  }
  checkKeywords(schema, fieldPath, { allowDefaults: true, reason: '', insideMeta: false }, true, errs);
  return errs;
}
