// Patch engines (JSON patch, merge patch, strategic merge patch) and field ownership
// (managedFields, server-side apply) for the API server. Pure functions over JSON values.

export { applyJsonPatch, parseJsonPatch } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic-merge.js';
export { FieldSet, fieldPE, keyPE, valuePE, indexPE, fieldPathString } from './field-set.js';
export type { FieldPath, PathElement } from './field-set.js';
export { updateManagedFields, createManagedFieldsJson, applyPatch, applyConflictError } from './managed-fields.js';
export type { OwnershipOptions, ApplyOptions, ApplyResult } from './managed-fields.js';
export type { DefinitionLookup } from './shape.js';
