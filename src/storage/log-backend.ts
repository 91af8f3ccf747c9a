// The Backend shared by the in-process stores (memory, sqlite): the current state lives in a
// CurrentIndex, every write is validated against it (create-if-absent, compare-and-swap on
// modRevision), persisted through a LogStore (group commit, and for SQLite an fsync before the
// reply), then acknowledged and published to watchers. Reads at an older revision are answered by
// undoing the logged events newer than it.
import {
  ClosedError,
  CompactedError,
  ConflictError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  type Backend,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type StorageEvent,
  type Watch,
  type WatchHandlers,
} from './backend.js';
import { createCurrentIndex } from './current-index.js';
import { createColdValues } from './cold-values.js';
import { realClock, type Clock } from '../base/clock.js';
import { createWatchHub } from './watch-hub.js';
import { startAutoCompaction, type AutoCompactOptions } from './auto-compact.js';
import { StorageSyncError, type LogStore } from './log-store.js';

export interface LogBackendInit {
  name: string;
  store: LogStore;
  /** The current state at open. */
  current: Iterable<KeyValue>;
  /** The newest revision at open. */
  revision: number;
  autoCompact?: AutoCompactOptions;
  /**
   * Keep versions not rewritten for this long deflated in memory (cold-values.ts); 0 (the default)
   * keeps every text as it is.
   */
  coldAfterMs?: number;
  clock?: Clock;
}

/**
 * Off by default: measured at 30,000–60,000 pods (docs/benchmarks.md, "where the scale server's
 * memory goes"), deflating cold pods cut the API server's live heap by ~45% but not its RSS: V8
 * kept the pages the replaced texts left half empty, so the committed heap stayed where it was.
 */
const COLD_AFTER_MS = 0;
/** The sweep's pace: at most SWEEP_MAX versions deflated per SWEEP_EVERY_MS (~50 µs each: a few ms of event loop at a time) */
const SWEEP_EVERY_MS = 250;
const SWEEP_MAX = 200;

export function createLogBackend(init: LogBackendInit): Backend {
  const { name, store } = init;
  const index = createCurrentIndex(init.current);
  const hub = createWatchHub();
  let revision = init.revision;
  let closed = false;
  const clock = init.clock ?? realClock;
  // the real timer is unref'd: a backend nobody closed must not keep the process alive
  const schedule = init.clock
    ? init.clock.schedule.bind(init.clock)
    : (fn: () => void, ms: number) => {
        const t = setTimeout(fn, ms);
        t.unref();
        return () => clearTimeout(t);
      };
  const coldAfterMs = init.coldAfterMs ?? COLD_AFTER_MS;
  const cold = coldAfterMs > 0 ? createColdValues(coldAfterMs) : undefined;
  let stopSweep = () => {};
  if (cold) {
    const t0 = clock.now();
    for (const kv of index.withPrefix('')) cold.written(kv.key, kv.modRevision, t0);
    const sweep = () => {
      cold.sweep(index, clock.now(), SWEEP_MAX);
      stopSweep = schedule(sweep, SWEEP_EVERY_MS);
    };
    stopSweep = schedule(sweep, SWEEP_EVERY_MS);
  }

  const open = () => {
    if (failure) throw failure;
    if (closed) throw new ClosedError(name);
  };

  // Group commit. A write is validated against the in-memory index and applied to it at once (so
  // the next write sees it for its compare-and-swap), queued, and written to the log with the
  // other queued writes in one transaction. Stores with sync() (SQLite: an fdatasync of its WAL)
  // make the log durable off the event loop; while one sync is in flight, newer writes wait in the
  // queue and go in the next transaction and the next sync, so one fsync acknowledges a whole
  // batch. A write's promise resolves, and watchers hear of it, only after its sync: nothing is
  // acknowledged or delivered that a power loss could take back. Reads of the current state may
  // see a write whose sync is in flight (about one fsync, well under a millisecond on an SSD).
  // If a commit fails, the index is rolled back and every write of that batch is rejected; if a
  // sync fails, what reached the disk is unknown, so the backend refuses everything from then on
  // (a restart reads the truth back from the file).
  interface Pending {
    ev: StorageEvent;
    resolve: () => void;
    reject: (e: unknown) => void;
  }
  /** Applied to the index, not yet in the log. */
  let batch: Pending[] = [];
  let batchStartRevision = 0;
  /** In the log, waiting for a sync. */
  let unsynced: Pending[] = [];
  let syncing = false;
  /** The newest revision watchers were given: everything at or below it is durable. */
  let published = init.revision;
  let failure: Error | undefined;
  let drainWaiters: Array<() => void> = [];

  const deliver = (group: readonly Pending[]) => {
    for (const p of group) hub.publish(p.ev);
    if (group.length > 0) published = group[group.length - 1]!.ev.kv.modRevision;
    for (const p of group) p.resolve();
  };
  /** Writes the queued batch to the log (one transaction); if that fails, the batch is rejected and the index rolled back. */
  const commitBatch = () => {
    const b = batch;
    batch = [];
    if (b.length === 0) return;
    const evs = b.map((p) => p.ev);
    try {
      if (store.appendMany) store.appendMany(evs);
      else for (const ev of evs) store.append(ev);
    } catch (e) {
      for (let i = evs.length - 1; i >= 0; i--) {
        const ev = evs[i]!;
        if (ev.type === 'create') index.remove(ev.kv.key);
        else index.put(ev.prev);
      }
      revision = batchStartRevision;
      for (const p of b) p.reject(e);
      return;
    }
    if (store.sync) unsynced.push(...b);
    else deliver(b);
  };
  const drained = () => {
    if (syncing || unsynced.length > 0) return;
    const w = drainWaiters;
    drainWaiters = [];
    for (const f of w) f();
  };
  const fail = (e: unknown, group: readonly Pending[]) => {
    const cause = e instanceof Error ? e.message : String(e);
    failure = new StorageSyncError(name, cause);
    for (const p of [...group, ...unsynced, ...batch]) p.reject(failure);
    unsynced = [];
    batch = [];
    hub.endAll(failure);
  };
  const startSync = () => {
    const sync = store.sync?.bind(store);
    if (syncing || unsynced.length === 0 || !sync || failure) return drained();
    const group = unsynced;
    unsynced = [];
    syncing = true;
    sync().then(
      () => {
        syncing = false;
        deliver(group);
        // the writes that queued up during this sync: one transaction, one sync
        commitBatch();
        startSync();
      },
      (e: unknown) => {
        syncing = false;
        fail(e, group);
        drained();
      },
    );
  };
  /** Puts every queued write in the log now (reads of the log need them); the sync follows. */
  const flush = () => {
    commitBatch();
    startSync();
  };
  const tick = () => {
    if (!syncing) flush();
  };
  const commit = (ev: StorageEvent): Promise<void> => {
    Object.freeze(ev); // shared by the log and every watcher
    if (batch.length === 0) {
      batchStartRevision = revision;
      setImmediate(tick);
    }
    revision = ev.kv.modRevision;
    if (ev.type === 'delete') index.remove(ev.kv.key);
    else {
      index.put(ev.kv);
      cold?.written(ev.kv.key, ev.kv.modRevision, clock.now());
    }
    return new Promise<void>((resolve, reject) => {
      batch.push({ ev, resolve, reject });
    });
  };
  const checkReadable = (rev: number) => {
    if (rev < store.compacted) throw new CompactedError(rev, store.compacted);
  };

  const listAt = (prefix: string, opts: ListOptions, rev: number): ListResult => {
    flush(); // the log must hold every write the index already shows
    // The state at `rev` of every key written after it is the state before its first later event.
    const before = new Map<string, KeyValue | undefined>();
    for (const ev of store.eventsAfter(prefix, rev)) {
      if (!before.has(ev.kv.key)) before.set(ev.kv.key, ev.type === 'create' ? undefined : ev.prev);
    }
    const all: KeyValue[] = [];
    for (const kv of index.withPrefix(prefix)) if (!before.has(kv.key)) all.push(kv);
    for (const kv of before.values()) if (kv) all.push(kv);
    all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const after = opts.after;
    const from = after === undefined ? all : all.filter((kv) => kv.key > after);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : from.length;
    return { kvs: from.slice(0, limit), revision: rev, more: from.length > limit };
  };

  const backend: Backend = {
    name,
    async currentRevision() {
      return revision;
    },
    async compactedRevision() {
      return store.compacted;
    },
    async get(key) {
      open();
      return index.get(key);
    },
    async list(prefix, opts = {}) {
      open();
      const rev = opts.revision;
      if (rev !== undefined && rev > 0 && rev !== revision) {
        if (rev > revision) throw new FutureRevisionError(rev, revision);
        checkReadable(rev);
        return listAt(prefix, opts, rev);
      }
      const page = index.list(prefix, opts.after, opts.limit);
      return { kvs: page.kvs, revision, more: page.more };
    },
    async count(prefix) {
      open();
      return index.count(prefix);
    },
    async create(key, value) {
      open();
      if (index.get(key)) throw new KeyExistsError(key);
      const rev = revision + 1;
      const kv: KeyValue = Object.freeze({ key, value, createRevision: rev, modRevision: rev });
      await commit({ type: 'create', kv });
      return kv;
    },
    async update(key, value, expectedRevision) {
      open();
      const prev = index.get(key);
      if (!prev) throw new KeyNotFoundError(key);
      if (prev.modRevision !== expectedRevision) throw new ConflictError(key, prev);
      const kv: KeyValue = Object.freeze({ key, value, createRevision: prev.createRevision, modRevision: revision + 1 });
      await commit({ type: 'update', kv, prev });
      return kv;
    },
    async delete(key, expectedRevision) {
      open();
      const prev = index.get(key);
      if (!prev) throw new KeyNotFoundError(key);
      if (expectedRevision !== undefined && prev.modRevision !== expectedRevision) throw new ConflictError(key, prev);
      const kv: KeyValue = Object.freeze({ key, value: prev.value, createRevision: prev.createRevision, modRevision: revision + 1 });
      await commit({ type: 'delete', kv, prev });
      return kv;
    },
    watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watch {
      open();
      checkReadable(afterRevision);
      // the log also holds writes whose sync is in flight: those reach the watch when published
      const replay =
        afterRevision < published ? store.eventsAfter(prefix, afterRevision).filter((ev) => ev.kv.modRevision <= published) : [];
      return hub.add(prefix, afterRevision, replay, handlers);
    },
    async compact(rev) {
      open();
      flush();
      if (rev > revision) throw new FutureRevisionError(rev, revision);
      if (rev <= store.compacted) return;
      await store.compact(rev);
    },
    async close() {
      if (closed) return;
      closed = true;
      flush();
      // the writes already accepted are acknowledged (or rejected) before the store goes
      await new Promise<void>((resolve) => {
        drainWaiters.push(resolve);
        drained();
      });
      stopAuto();
      stopSweep();
      hub.endAll(new ClosedError(name));
      await store.close();
    },
  };
  const stopAuto = startAutoCompaction(backend, init.autoCompact ?? {});
  return backend;
}
