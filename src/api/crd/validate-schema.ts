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

/** Keywords the root of a schema may use when the status subresource is enabled (upstream's Go field names, for its message). */
const ROOT_WITH_STATUS: Readonly<Record<string, string>> = {
  description: 'Description',
  type: 'Type',
  format: 'Format',
  title: 'Title',
  maximum: 'Maximum',
  exclusiveMaximum: 'ExclusiveMaximum',
  minimum: 'Minimum',
  exclusiveMinimum: 'ExclusiveMinimum',
  maxLength: 'MaxLength',
  minLength: 'MinLength',
  pattern: 'Pattern',
  maxItems: 'MaxItems',
  minItems: 'MinItems',
  uniqueItems: 'UniqueItems',
  multipleOf: 'MultipleOf',
  required: 'Required',
  items: 'Items',
  properties: 'Properties',
  externalDocs: 'ExternalDocs',
  example: 'Example',
  'x-kubernetes-preserve-unknown-fields': 'XPreserveUnknownFields',
  'x-kubernetes-validations': 'XValidations',
};

/**
 * With the status subresource, `.status` is validated on its own, so the root may only use keywords
 * that do not lose anything when `properties.status` is taken out. `schemaPath` is the parent of the
 * schema, e.g. `spec.versions[0].schema` (upstream names `openAPIV3Schema.type` under it).
 */
export function validateStatusRootSchema(raw: Schema, schemaPath: string): FieldError[] {
  const schema = normalizeSchema(raw);
  if (schema.type !== undefined && schema.type !== 'object')
    return [
      {
        type: 'FieldValueInvalid',
        field: child(schemaPath, 'openAPIV3Schema.type'),
        value: schema.type,
        detail: 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled',
      },
    ];
  const extra = Object.keys(schema).filter((k) => !(k in ROOT_WITH_STATUS));
  if (!extra.length) return [];
  const allowed = `[${Object.values(ROOT_WITH_STATUS).join(' ')}]`;
  return [
    {
      type: 'FieldValueInvalid',
      field: child(schemaPath, 'openAPIV3Schema'),
      value: raw,
      detail: `only ${allowed} fields are allowed at the root of the schema if the status subresource is enabled`,
    },
  ];
}
