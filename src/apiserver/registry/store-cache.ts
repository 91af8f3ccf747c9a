// A watch-fed copy of one key prefix of the store (upstream's informer cache, at the storage level):
// one list, then a watch from the list's revision; the stored KeyValues by key, grouped by their
// parent "directory" so a namespace's objects are listed without a scan. It is fed only by the
// store's watch, never by this server's own writes, so several API servers on one store each see
// every server's writes in the same order. When the watch ends (history compacted, a store
// failover) it relists with back-off and swaps the whole copy at once. A closed backend ends it.
//
// Readers get the very KeyValue objects the store returned, so their per-version decode memos
// (WeakMap<KeyValue, …>) keep working across reads.

import { ClosedError, CompactedError, type Backend, type KeyValue, type StorageEvent, type Watch } from '../../storage/backend.js';
import type { Logger } from '../../base/log.js';

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5000;

const dirOf = (key: string): string => key.slice(0, key.lastIndexOf('/') + 1);

export class StoreCache {
  /** parent directory → key → KeyValue */
  private dirs = new Map<string, Map<string, KeyValue>>();
  private rev = 0;
  private watch: Watch | undefined;
  private stopped = false;
  private backoff = BACKOFF_MIN_MS;
  private timer: NodeJS.Timeout | undefined;
  private readonly readyPromise: Promise<void>;
  private markReady!: () => void;
  private relists = 0;

  constructor(
    private readonly backend: Backend,
    readonly prefix: string,
    private readonly log?: Logger,
  ) {
    this.readyPromise = new Promise((resolve) => (this.markReady = resolve));
    void this.relist();
  }

  /** Resolves once the first list is in (never rejects: a failing store is retried with back-off). */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** Whether the first list is in (before it, readers go to the store). */
  get isReady(): boolean {
    return this.relists > 0;
  }

  /** The store revision this copy is current to (the list's, then each watched write's). */
  get revision(): number {
    return this.rev;
  }

  /** How many times the copy was rebuilt from a list (1 after the first). */
  get listCount(): number {
    return this.relists;
  }

  get(key: string): KeyValue | undefined {
    return this.dirs.get(dirOf(key))?.get(key);
  }

  /** The objects directly under `dir` (a prefix ending in '/'), in key order. */
  list(dir: string): KeyValue[] {
    const m = this.dirs.get(dir);
    if (!m) return [];
    return [...m.keys()].sort().map((k) => m.get(k) as KeyValue);
  }

  stop(): void {
    this.stopped = true;
    this.watch?.cancel();
    if (this.timer) clearTimeout(this.timer);
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const res = await this.backend.list(this.prefix);
      if (this.stopped) return;
      const dirs = new Map<string, Map<string, KeyValue>>();
      for (const kv of res.kvs) put(dirs, kv);
      this.dirs = dirs;
      this.rev = res.revision;
      this.relists++;
      this.watch = this.backend.watch(this.prefix, res.revision, {
        onEvents: (evs) => this.apply(evs),
        onError: (err) => this.retry(err),
      });
      this.backoff = BACKOFF_MIN_MS;
      this.markReady();
    } catch (e) {
      this.retry(e);
    }
  }

  private apply(events: StorageEvent[]): void {
    for (const ev of events) {
      if (ev.kv.modRevision <= this.rev) continue;
      if (ev.type === 'delete') {
        const d = this.dirs.get(dirOf(ev.kv.key));
        d?.delete(ev.kv.key);
        if (d?.size === 0) this.dirs.delete(dirOf(ev.kv.key));
      } else {
        put(this.dirs, ev.kv);
      }
      this.rev = ev.kv.modRevision;
    }
  }

  private retry(err: unknown): void {
    this.watch = undefined;
    if (this.stopped || err instanceof ClosedError) return void (this.stopped = true);
    const wait = err instanceof CompactedError ? 0 : this.backoff;
    this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
    this.log?.info(`cache of ${this.prefix}: relisting in ${wait} ms: ${err instanceof Error ? err.message : String(err)}`);
    this.timer = setTimeout(() => void this.relist(), wait);
    this.timer.unref();
  }
}

function put(dirs: Map<string, Map<string, KeyValue>>, kv: KeyValue): void {
  const dir = dirOf(kv.key);
  let m = dirs.get(dir);
  if (!m) dirs.set(dir, (m = new Map()));
  m.set(kv.key, kv);
}
