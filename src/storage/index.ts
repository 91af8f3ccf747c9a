// Public API of the storage layer.
export * from './backend.js';
export { createBackend, BackendSpecError } from './create-backend.js';
