// The SQLite backend: a kine-style log table (see sqlite-schema.ts) plus the current state held in
// memory. Reads of the current state never touch SQL; writes are INSERTs committed in batches (WAL,
// synchronous=NORMAL) and, by default, made durable by an fdatasync of the WAL (wal-sync.ts) before
// their promises resolve and watchers hear of them. Watches and lists at an older revision read the
// log (rows with id > revision). One process owns the file.
import type { Backend, KeyValue, StorageEvent } from '../backend.js';
import type { AutoCompactOptions } from '../auto-compact.js';
import { createLogBackend } from '../log-backend.js';
import type { LogStore } from '../log-store.js';
import { openDatabase, prepareStatements, type LogRow } from './sqlite-schema.js';
import { createSqliteCompactor } from './sqlite-compactor.js';
import { startCheckpointer } from './checkpointer.js';
import { acquireStoreLock } from './store-lock.js';
import { openWalSync } from './wal-sync.js';

export interface SqliteBackendOptions extends AutoCompactOptions {
  /** Revisions per compaction transaction (default 1000). */
  compactBatchSize?: number;
  /** How long to wait for a lock held by another connection before failing (default 500 ms). */
  busyTimeoutMs?: number;
  /**
   * `full` (default): a write is acknowledged after the WAL holding it is fsynced, so it survives
   * a power loss. `normal`: after the commit only (SQLite's synchronous=NORMAL: it survives a
   * crash of the process, a power loss may take back the last writes); for benchmarks and tests.
   */
  sync?: SqliteSync;
}

export type SqliteSync = 'full' | 'normal';

export function createSqliteBackend(file: string, opts: SqliteBackendOptions = {}): Backend {
  const release = acquireStoreLock(file);
  let db: ReturnType<typeof openDatabase> | undefined;
  try {
    db = openDatabase(file, opts.busyTimeoutMs);
    return build(file, db, opts, release);
  } catch (e) {
    db?.close();
    release();
    throw damaged(file, e);
  }
}

/** SQLite's "malformed"/"not a database" as an error naming the file and the way out. */
function damaged(file: string, e: unknown): unknown {
  const code = (e as { code?: unknown }).code;
  if (code !== 'SQLITE_CORRUPT' && code !== 'SQLITE_NOTADB') return e;
  return new Error(
    `the store ${file} is damaged (${code}: ${(e as Error).message}): restore it from a backup, or move it away to start empty`,
    {
      cause: e,
    },
  );
}

function build(file: string, db: ReturnType<typeof openDatabase>, opts: SqliteBackendOptions, release: () => void): Backend {
  const stm = prepareStatements(db);
  // Keys whose newest row is a deletion marker -> that marker's revision: a re-create records it as
  // prev_revision so that (name, prev_revision) stays unique.
  const deletedAt = new Map<string, number>();
  const current: KeyValue[] = [];
  for (const r of stm.heads.iterate()) {
    if (r.deleted) deletedAt.set(r.name, r.id);
    else current.push(Object.freeze({ key: r.name, value: r.value ?? '', createRevision: r.create_revision, modRevision: r.id }));
  }
  const revision = stm.sequence.get()?.seq ?? 0;

  const compactor = createSqliteCompactor({
    db,
    stm,
    batchSize: Math.max(1, opts.compactBatchSize ?? 1000),
    onCompacted(rev) {
      for (const [key, r] of deletedAt) if (r <= rev) deletedAt.delete(key);
    },
  });

  const appendOne = (ev: StorageEvent) => {
    const { key, modRevision: rev, createRevision } = ev.kv;
    switch (ev.type) {
      case 'create':
        stm.insert.run(rev, key, 1, 0, createRevision, deletedAt.get(key) ?? 0, ev.kv.value);
        deletedAt.delete(key);
        break;
      case 'update':
        stm.insert.run(rev, key, 0, 0, createRevision, ev.prev.modRevision, ev.kv.value);
        break;
      case 'delete':
        stm.insert.run(rev, key, 0, 1, createRevision, ev.prev.modRevision, null);
        deletedAt.set(key, rev);
        break;
    }
  };
  // Group commit: the writes of one event-loop turn share one transaction (one WAL sync point).
  const appendAll = db.transaction((evs: readonly StorageEvent[]) => {
    for (const ev of evs) appendOne(ev);
  });
  const checkpointer = startCheckpointer(file, db);
  const walSync = opts.sync === 'normal' ? undefined : openWalSync(file);
  const bytesOf = (ev: StorageEvent) => ev.kv.key.length + (ev.type === 'delete' ? 0 : ev.kv.value.length) + 64;
  const store: LogStore = {
    get compacted() {
      return compactor.compacted;
    },
    append(ev) {
      appendOne(ev);
      checkpointer.wrote(bytesOf(ev));
    },
    appendMany(evs) {
      // deletion-marker bookkeeping to restore if the transaction rolls back
      const undo: Array<[string, number | undefined]> = [];
      for (const ev of evs) if (ev.type !== 'update') undo.push([ev.kv.key, deletedAt.get(ev.kv.key)]);
      try {
        appendAll(evs);
      } catch (e) {
        for (let i = undo.length - 1; i >= 0; i--) {
          const [k, v] = undo[i]!;
          if (v === undefined) deletedAt.delete(k);
          else deletedAt.set(k, v);
        }
        throw e;
      }
      let bytes = 0;
      for (const ev of evs) bytes += bytesOf(ev);
      checkpointer.wrote(bytes);
    },
    eventsAfter(prefix, after) {
      const out: StorageEvent[] = [];
      for (const r of stm.after.iterate(after)) if (r.name.startsWith(prefix)) out.push(toEvent(r));
      return out;
    },
    ...(walSync ? { sync: () => walSync.sync() } : {}),
    compact: (rev) => compactor.compact(rev),
    async close() {
      await walSync?.close();
      await compactor.close();
      await checkpointer.close();
      db.close();
      release();
    },
  };
  compactor.resume();
  return createLogBackend({
    name: `sqlite:${file}${opts.sync === 'normal' ? '?sync=normal' : ''}`,
    store,
    current,
    revision,
    autoCompact: opts,
  });
}

function toEvent(r: LogRow): StorageEvent {
  const key = r.name;
  if (r.created) {
    return { type: 'create', kv: { key, value: r.value ?? '', createRevision: r.create_revision, modRevision: r.id } };
  }
  if (r.pvalue === null || r.pcreate === null)
    throw new Error(`storage log is missing revision ${r.prev_revision} (previous version of ${key} at ${r.id})`);
  const prev: KeyValue = { key, value: r.pvalue, createRevision: r.pcreate, modRevision: r.prev_revision };
  if (r.deleted) return { type: 'delete', kv: { key, value: r.pvalue, createRevision: r.create_revision, modRevision: r.id }, prev };
  return { type: 'update', kv: { key, value: r.value ?? '', createRevision: r.create_revision, modRevision: r.id }, prev };
}
