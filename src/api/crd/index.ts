// CustomResourceDefinition schemas as pure functions: checking a CRD's openAPIV3Schema, validating,
// pruning and defaulting custom objects against it, and turning it into the registry's definitions.

export { validateCrdSchema, validateStatusRootSchema } from './validate-schema.js';
export { validateAgainstSchema } from './values.js';
export { pruneUnknownFields } from './prune.js';
export { applySchemaDefaults } from './defaults.js';
export { toDefinitions } from './definitions.js';
