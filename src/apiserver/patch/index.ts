// Patch engines (JSON patch, merge patch, strategic merge patch) and field ownership
// (managedFields, server-side apply) for the API server. Pure functions over JSON values.

export { applyJsonPatch } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic-merge.js';
export { updateManagedFields, createManagedFieldsJson, applyPatch, UNTRACKED_META } from './managed-fields.js';
export { listItemElements } from './list-slots.js';
export type { ListItemSlot } from './list-slots.js';
