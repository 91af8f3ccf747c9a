// One Backend watch on etcd: etcd's raw events (with prev_kv) decoded to Tandem keys, filtered to
// the watched prefix (a wide prefix is watched as one covering etcd range), turned into
// create/update/delete events and handed to the handlers in batches (what arrived within one turn
// of the event loop), never after cancel() and never after an error.
import type { IEvent, IKeyValue } from 'etcd3';
import type { KeyValue, StorageEvent, Watch, WatchHandlers } from '../backend.js';
import type { KeySpace } from './etcd-keyspace.js';

export function toKeyValue(key: string, kv: IKeyValue): KeyValue {
  return { key, value: kv.value.toString(), createRevision: Number(kv.create_revision), modRevision: Number(kv.mod_revision) };
}

/** A raw etcd event as a storage event, or undefined when its key is not watched. */
export function toStorageEvent(keys: KeySpace, prefix: string, ev: IEvent): StorageEvent | undefined {
  const key = keys.decode(ev.kv.key);
  if (key === undefined || !key.startsWith(prefix)) return undefined;
  const rev = Number(ev.kv.mod_revision);
  const prev = ev.prev_kv ? toKeyValue(key, ev.prev_kv) : undefined;
  if (ev.type === 'Delete') {
    const last = prev ?? { key, value: '', createRevision: 0, modRevision: 0 };
    return { type: 'delete', kv: { ...last, modRevision: rev }, prev: last };
  }
  const kv = toKeyValue(key, ev.kv);
  if (kv.createRevision === kv.modRevision || !prev) return { type: 'create', kv };
  return { type: 'update', kv, prev };
}

export class DeliveringWatch implements Watch {
  private queue: StorageEvent[] = [];
  private scheduled = false;
  private done = false;
  /** revision of the newest event handed to the handlers */
  delivered = 0;
  private waiters: Array<{ rev: number; resolve: () => void }> = [];

  constructor(
    readonly prefix: string,
    private readonly h: WatchHandlers,
    private readonly onEnd: (w: DeliveringWatch) => void,
  ) {}

  get ended(): boolean {
    return this.done;
  }

  push(evs: StorageEvent[]): void {
    if (this.done || evs.length === 0) return;
    this.queue.push(...evs);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.done || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    try {
      this.h.onEvents(batch);
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    this.delivered = batch[batch.length - 1]!.kv.modRevision;
    this.waiters = this.waiters.filter((w) => (w.rev <= this.delivered ? (w.resolve(), false) : true));
  }

  /** Resolves once events up to `rev` were delivered, or the watch ended, or `ms` passed. */
  caughtUp(rev: number, ms: number): Promise<void> {
    if (this.done || this.delivered >= rev) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.waiters.push({
        rev,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      });
    });
  }

  /** Ends the watch with an error, after the events already queued. */
  fail(err: Error): void {
    if (this.done) return;
    this.flush();
    if (this.done) return;
    this.done = true;
    this.queue = [];
    for (const w of this.waiters) w.resolve();
    this.onEnd(this);
    this.h.onError(err);
  }

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.queue = [];
    for (const w of this.waiters) w.resolve();
    this.onEnd(this);
  }
}
