// Public API of the storage layer.
export * from './backend.js';
export { createMemoryBackend, type MemoryBackendOptions } from './memory/memory-backend.js';
export { createSqliteBackend, type SqliteBackendOptions } from './sqlite/sqlite-backend.js';
export { createBackend, BackendSpecError, type BackendOptions } from './create-backend.js';
export type { AutoCompactOptions } from './auto-compact.js';
