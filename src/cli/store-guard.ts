// The check before a server opens its store: a store that is missing or empty while the data dir
// holds the certificates (pki/ca.crt) or the admin kubeconfig of a cluster means the cluster's
// state was lost (a deleted or truncated file, a restore that missed it), not a first start.
// Starting would make a new, empty cluster under the old identity, with every object gone and
// nodes and clients none the wiser; so the start is refused with what was found and the fix,
// unless --allow-empty-store says to start anew. A damaged store file is refused with SQLite's
// reason. The memory store is always empty and exempt.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyExistsError, inspectSqliteStore, parseSqliteSpec, type Backend } from '../storage/index.js';
import { caCertHash } from '../pki/index.js';

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

// ---- etcd: one store may hold several clusters (under their prefixes), so each marks its own ----
// The key CLUSTER_MARKER_KEY (in etcd: <prefix>/tandem/cluster) holds the cluster CA's key hash,
// written at the first start. A server whose data dir holds another CA, or none while the prefix
// already holds a cluster, would take over (or mix into) another cluster's objects: refused.

/** Tandem's key of the marker; keys outside /registry/ are stored as they are, under the prefix. */
const CLUSTER_MARKER_KEY = '/tandem/cluster';

const isEtcd = (b: Backend) => b.name.startsWith('etcd://');

/** Before the PKI is made: throws when the etcd store belongs to another cluster than this data dir's. */
export async function checkEtcdStoreBeforeStart(backend: Backend, dataDir: string, o: StoreGuardOptions = {}): Promise<void> {
  if (!isEtcd(backend)) return;
  const marker = await backend.get(CLUSTER_MARKER_KEY);
  const caFile = join(dataDir, 'pki', 'ca.crt');
  const mine = existsSync(caFile) ? caCertHash(readFileSync(caFile, 'utf8')) : undefined;
  if (marker) {
    if (mine === marker.value) return;
    throw new Error(
      mine
        ? `the store ${backend.name} holds another cluster (CA ${marker.value}; this data dir's CA ${caFile} is ${mine}): ` +
            `use another etcd prefix (etcd://HOST:PORT/PREFIX) for this cluster, or the data dir of the cluster that store belongs to`
        : `the store ${backend.name} holds a cluster (CA ${marker.value}) and ${dataDir} has no CA (${caFile}): starting would ` +
            `make a new CA for that cluster's objects. Copy the cluster's pki/ from one of its servers, or use another etcd prefix`,
    );
  }
  const objects = await backend.count('/registry/');
  if (objects > 0) {
    throw new Error(
      `the store ${backend.name} holds ${objects} keys under /registry/ but no Tandem cluster marker (${CLUSTER_MARKER_KEY}): ` +
        `it belongs to another cluster (or to Kubernetes itself); use another etcd prefix (etcd://HOST:PORT/PREFIX)`,
    );
  }
  if (mine && !o.allowEmptyStore) {
    throw new Error(
      `the store ${backend.name} is empty, but ${dataDir} holds a cluster that existed (${caFile}): starting would make a new ` +
        `empty cluster with every object gone. Point --store at that cluster's etcd (and prefix), or start a new empty cluster ` +
        `under the same certificates with ${ALLOW_EMPTY_STORE_FLAG}`,
    );
  }
}

/** After the PKI is made: writes the marker at a first start (a racing server with the same CA is fine). */
export async function markEtcdStore(backend: Backend, caCertPem: string): Promise<void> {
  if (!isEtcd(backend)) return;
  const hash = caCertHash(caCertPem);
  try {
    await backend.create(CLUSTER_MARKER_KEY, hash);
  } catch (e) {
    if (!(e instanceof KeyExistsError)) throw e;
    const now = await backend.get(CLUSTER_MARKER_KEY);
    if (now?.value !== hash)
      throw new Error(`the store ${backend.name} was claimed meanwhile by another cluster (CA ${now?.value})`, { cause: e });
  }
}
