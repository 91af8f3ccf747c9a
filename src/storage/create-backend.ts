// Chooses a backend from a `--store` spec: `memory`, `sqlite:<path>`; `etcd…` is reserved.
import type { Backend } from './backend.js';
import { createMemoryBackend, type MemoryBackendOptions } from './memory/memory-backend.js';
import { createSqliteBackend, type SqliteBackendOptions } from './sqlite/sqlite-backend.js';

export type BackendOptions = MemoryBackendOptions & SqliteBackendOptions;

/** A store spec that names no known or no implemented backend. */
export class BackendSpecError extends Error {
  constructor(
    readonly spec: string,
    why: string,
  ) {
    super(`invalid store "${spec}": ${why}`);
    this.name = 'BackendSpecError';
  }
}

/** Opens the backend named by `spec`. Async because remote backends (etcd) will need to connect. */
export async function createBackend(spec: string, opts: BackendOptions = {}): Promise<Backend> {
  if (spec === 'memory') return createMemoryBackend(opts);
  if (spec.startsWith('sqlite:')) {
    const file = spec.slice('sqlite:'.length);
    if (!file) throw new BackendSpecError(spec, 'expected sqlite:<path to the database file>');
    return createSqliteBackend(file, opts);
  }
  if (spec.startsWith('etcd')) throw new BackendSpecError(spec, 'the etcd backend is not implemented yet (use memory or sqlite:<path>)');
  throw new BackendSpecError(spec, 'expected memory or sqlite:<path>');
}
