// The check before a server opens its store: a store that is missing or empty while the data dir
// holds the certificates (pki/ca.crt) or the admin kubeconfig of a cluster means the cluster's
// state was lost (a deleted or truncated file, a restore that missed it), not a first start.
// Starting would make a new, empty cluster under the old identity, with every object gone and
// nodes and clients none the wiser; so the start is refused with what was found and the fix,
// unless --allow-empty-store says to start anew. A damaged store file is refused with SQLite's
// reason. The memory store is always empty and exempt.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inspectSqliteStore, parseSqliteSpec } from '../storage/index.js';

export interface StoreGuardOptions {
  /** start although the store is empty and the data dir holds an earlier cluster's PKI or kubeconfig */
  allowEmptyStore?: boolean;
}

const ALLOW_EMPTY_STORE_FLAG = '--allow-empty-store';

const WHAT: Record<string, string> = {
  missing: 'does not exist',
  empty: 'is empty (0 bytes)',
  'no-schema': 'holds no Tandem store (no kine table)',
  'no-objects': 'holds no objects',
};

/** Throws, with what was found and the fix, when the store `spec` must not be opened for this data dir. */
export function checkStoreBeforeStart(dataDir: string, spec: string, o: StoreGuardOptions = {}): void {
  if (!spec.startsWith('sqlite:')) return;
  const { file } = parseSqliteSpec(spec);
  const found = inspectSqliteStore(file);
  if (found.state === 'ok') return;
  if (found.state === 'damaged') {
    throw new Error(
      `the store ${file} cannot be read (${found.reason}): restore it (with its -wal file, if any) from a backup; ` +
        `or, to give up the cluster's objects, move it away and start again with ${ALLOW_EMPTY_STORE_FLAG}`,
    );
  }
  if (o.allowEmptyStore) return;
  const evidence = [join(dataDir, 'pki', 'ca.crt'), join(dataDir, 'pki', 'ca.key'), join(dataDir, 'kubeconfig')].filter((f) =>
    existsSync(f),
  );
  if (evidence.length === 0) return; // a first start
  throw new Error(
    `the store ${file} ${WHAT[found.state] ?? found.state}, but ${dataDir} holds a cluster that existed (${evidence.join(', ')}): ` +
      `starting would make a new empty cluster with every object gone. Restore the store from a backup (stop the server, ` +
      `copy the backup to ${file} and remove ${file}-wal and ${file}-shm if present), or start a new empty cluster under the same certificates with ${ALLOW_EMPTY_STORE_FLAG}`,
  );
}
