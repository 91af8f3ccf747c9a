// The store-free part of a create, as a function of plain inputs: type meta and unknown fields ->
// namespace -> system fields -> defaults -> validation -> managedFields. Used by POST and by a
// server-side apply that creates.

import type { KindDef } from '../../api/kind.js';
import type { AnyObject } from '../../api/object.js';
import { checkTypeMeta, prepareCreate, settleNamespace } from '../registry/prepare.js';
import { checkFields } from '../registry/field-check.js';
import { validateObject } from '../registry/validate.js';
import { createdManagedFields } from '../registry/managed.js';
import type { FieldValidation } from './options.js';

/** What a create depends on besides the kind and the body (all of it plain data). */
export interface CreateInput {
  /** the namespace on the URL */
  namespace: string | undefined;
  /** the request's clock reading (creationTimestamp, managedFields time) */
  now: number;
  manager: string;
  fieldValidation: FieldValidation;
}

/** A created object ready to store, and its managedFields as JSON text when the write built them. */
export interface Admitted {
  obj: AnyObject;
  managedFieldsJson: string | undefined;
}

/**
 * Everything between a decoded body and a storable object. `applied`: server-side apply computed
 * the managedFields already; otherwise the creator owns every field the object carries.
 */
export function admitCreate(
  kind: KindDef,
  body: Record<string, unknown>,
  input: CreateInput,
  warn: (text: string) => void,
  applied = false,
): Admitted {
  checkTypeMeta(kind, body);
  checkFields(kind, body, input.fieldValidation, warn);
  const obj = body as unknown as AnyObject;
  settleNamespace(kind, obj.metadata, input.namespace);
  prepareCreate(kind, obj, input.now);
  kind.defaults?.(obj);
  validateObject(kind, obj, undefined);
  if (applied) return { obj, managedFieldsJson: undefined };
  delete obj.metadata.managedFields;
  return { obj, managedFieldsJson: createdManagedFields(kind, obj, input.manager, input.now) };
}
