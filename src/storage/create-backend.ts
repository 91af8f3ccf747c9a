// Chooses a backend from a `--store` spec: `memory`, `sqlite:<path>[?sync=full|normal]`,
// `etcd://HOST:PORT[,HOST:PORT…][/PREFIX]`.
import type { Backend } from './backend.js';
import { createMemoryBackend, type MemoryBackendOptions } from './memory/memory-backend.js';
import { createSqliteBackend, type SqliteBackendOptions, type SqliteSync } from './sqlite/sqlite-backend.js';
import { openEtcdStore, type EtcdOpenOptions } from './etcd/etcd-open.js';
import { EtcdSpecError, parseEtcdSpec } from './etcd/etcd-spec.js';

export type BackendOptions = MemoryBackendOptions & SqliteBackendOptions & EtcdOpenOptions;

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
    const { file, sync } = parseSqliteSpec(spec);
    return createSqliteBackend(file, sync ? { ...opts, sync } : opts);
  }
  if (spec.startsWith('etcd')) {
    checkEtcdSpec(spec);
    return openEtcdStore(spec, opts);
  }
  throw new BackendSpecError(spec, 'expected memory, sqlite:<path> or etcd://HOST:PORT[,HOST:PORT...][/PREFIX]');
}

/**
 * `sqlite:PATH` with an optional query: `?sync=full` (the default: a write is acknowledged once
 * fsynced) or `?sync=normal` (acknowledged once committed: survives a crash, not a power loss).
 */
export function parseSqliteSpec(spec: string): { file: string; sync?: SqliteSync } {
  const rest = spec.slice('sqlite:'.length);
  const q = rest.indexOf('?');
  const file = q < 0 ? rest : rest.slice(0, q);
  if (!file) throw new BackendSpecError(spec, 'expected sqlite:<path to the database file>');
  if (q < 0) return { file };
  let sync: SqliteSync | undefined;
  for (const [k, v] of new URLSearchParams(rest.slice(q + 1))) {
    if (k !== 'sync') throw new BackendSpecError(spec, `unknown option "${k}" (known: sync=full|normal)`);
    if (v !== 'full' && v !== 'normal')
      throw new BackendSpecError(spec, `sync=${v}: expected sync=full (fsync before the reply) or sync=normal`);
    sync = v;
  }
  return sync ? { file, sync } : { file };
}

/** Throws a BackendSpecError saying what is wrong with an `etcd://` spec. */
function checkEtcdSpec(spec: string): void {
  try {
    parseEtcdSpec(spec);
  } catch (e) {
    if (e instanceof EtcdSpecError) throw new BackendSpecError(spec, e.message);
    throw e;
  }
}
