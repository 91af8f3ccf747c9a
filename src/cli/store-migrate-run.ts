// `tandem store migrate` as it runs: the refusals that protect a cluster (a store a running server
// holds, a source that holds no cluster, the memory store), the progress line, and the summary with
// what to do next. The copy and its verification are store-migrate.ts; the flags store-command.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createBackend, inspectSqliteStore, parseSqliteSpec, type Backend } from '../storage/index.js';
import type { BackendOptions } from '../storage/create-backend.js';
import { resolveDataDir } from './data-dir.js';
import { createProgressLine, formatBytes, type ProgressLine } from './progress-line.js';
import { allKinds } from '../api/kinds/index.js';
import { expireEventsInStore } from '../apiserver/index.js';
import { etcdEndpointsOf } from './doctor/etcd-probe.js';
import { markEtcdStore } from './store-guard.js';
import { migrateStore, type MigrateResult } from './store-migrate.js';

export interface StoreMigrateFlags {
  from: string;
  to: string;
  force?: boolean;
  dataDir?: string;
  /** TLS to the etcd side (as `tandem server`'s flags) */
  etcdCafile?: string;
  etcdCertfile?: string;
  etcdKeyfile?: string;
  /** Events' time to live in a store that expires them itself (etcd); default as the server's (TANDEM_EVENT_TTL_MS, else 1 h) */
  eventTtlMs?: number;
}

/** `sqlite` alone means the data dir's store, as for `tandem server --store sqlite`. */
function expand(spec: string, dataDir: string): string {
  if (spec === 'sqlite') return `sqlite:${join(dataDir, 'state.db')}`;
  if (spec.startsWith('sqlite:')) {
    const { file } = parseSqliteSpec(spec);
    return `sqlite:${resolve(file)}${spec.slice('sqlite:'.length + file.length)}`;
  }
  return spec;
}

function etcdTls(f: StoreMigrateFlags): BackendOptions {
  const files = {
    ...(f.etcdCafile ? { caFile: resolve(f.etcdCafile) } : {}),
    ...(f.etcdCertfile ? { certFile: resolve(f.etcdCertfile) } : {}),
    ...(f.etcdKeyfile ? { keyFile: resolve(f.etcdKeyfile) } : {}),
  };
  return Object.keys(files).length ? { etcdTls: files } : {};
}

async function open(spec: string, role: 'source' | 'target', opts: BackendOptions): Promise<Backend> {
  if (spec === 'memory')
    throw new Error(
      `--${role === 'source' ? 'from' : 'to'} memory: the memory store lives and dies with one process; migrate between sqlite:PATH and etcd://…`,
    );
  if (spec.startsWith('sqlite:') && role === 'source') {
    const { file } = parseSqliteSpec(spec);
    const found = inspectSqliteStore(file);
    if (found.state === 'damaged') throw new Error(`--from ${spec}: the store cannot be read (${found.reason})`);
    if (found.state !== 'ok')
      throw new Error(`--from ${spec}: ${file} holds no cluster (${found.state}): check the path (the default store is DATA/state.db)`);
  }
  try {
    return await createBackend(spec, spec.startsWith('etcd') ? opts : {});
  } catch (e) {
    if (e instanceof Error && e.name === 'StoreLockedError')
      throw new Error(`${e.message}. A migration copies a stopped cluster: stop the server (and \`tandem up\`) using this store first`, {
        cause: e,
      });
    throw e;
  }
}

export async function runStoreMigrate(f: StoreMigrateFlags, progress: ProgressLine = createProgressLine()): Promise<MigrateResult> {
  const dataDir = resolveDataDir(f.dataDir);
  const from = expand(f.from, dataDir);
  const to = expand(f.to, dataDir);
  if (from === to) throw new Error(`--from and --to name the same store (${from})`);
  // an etcd store is marked with its cluster's CA (store-guard.ts), and the server refuses objects without the mark
  for (const spec of [from, to]) if (spec.startsWith('etcd')) etcdEndpointsOf(spec, false); // a bad spec is named before anything else
  const caFile = join(dataDir, 'pki', 'ca.crt');
  if (to.startsWith('etcd') && !existsSync(caFile))
    throw new Error(
      `--to ${to}: ${dataDir} holds no cluster CA (${caFile}); give the data dir the cluster ran with (--data-dir): ` +
        'the etcd store is marked with its CA, and the server on etcd needs that data dir',
    );
  const tls = etcdTls(f);
  const source = await open(from, 'source', tls);
  let target: Backend | undefined;
  try {
    target = await open(to, 'target', tls);
    // on etcd, Events live on leases as the server writes them: copied ones expire one TTL after the copy
    const ttl = f.eventTtlMs ?? (process.env['TANDEM_EVENT_TTL_MS'] ? Number(process.env['TANDEM_EVENT_TTL_MS']) : undefined);
    expireEventsInStore({ backend: target, kinds: allKinds.filter((k) => k.kind === 'Event'), ...(ttl ? { ttlMs: ttl } : {}) });
    progress.spin(`copying ${from} → ${to}`);
    const started = Date.now();
    const r = await migrateStore({
      source,
      target,
      force: f.force === true,
      onProgress: (p) => {
        const s = (Date.now() - started) / 1000;
        progress.status(`copied ${p.copied}/${p.total} keys, ${formatBytes(p.bytes)} (${s > 0 ? Math.round(p.copied / s) : 0} keys/s)`);
      },
    });
    if (to.startsWith('etcd')) await markEtcdStore(target, readFileSync(caFile, 'utf8'));
    progress.done();
    return r;
  } finally {
    progress.done();
    await target?.close();
    await source.close();
  }
}

export function renderMigrateSummary(f: StoreMigrateFlags, r: MigrateResult): string {
  const dataDir = resolveDataDir(f.dataDir);
  const to = expand(f.to, dataDir);
  const lines = [
    `migrated ${r.keys} keys (${formatBytes(r.bytes)}) in ${(r.ms / 1000).toFixed(1)} s, read at source revision ${r.sourceRevision}`,
    ...(r.deleted ? [`deleted ${r.deleted} key(s) the target held before (--force)`] : []),
    `verified: the same ${r.keys} keys on both sides, sha256 ${r.checksum}`,
    'objects keep their uids, creation timestamps and owner references; resourceVersions are the new store’s (clients relist once)',
    'next:',
    `  tandem server --data-dir ${dataDir} --store ${to}    (the same data dir: its certificates and tokens go with the objects)`,
    '  keep the old store until the cluster has run on the new one; do not start a server on it again, or the two copies diverge',
  ];
  return lines.join('\n');
}
