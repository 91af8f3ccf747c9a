// Public API of the storage layer.
export * from './backend.js';
export { createBackend, BackendSpecError, parseSqliteSpec } from './create-backend.js';
export { inspectSqliteStore } from './sqlite/inspect-store.js';
export type { EtcdTlsFiles } from './etcd/etcd-open.js';
