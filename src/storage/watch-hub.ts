// In-process watch broadcaster. Each watcher owns a queue that is flushed in a microtask, so events
// published by synchronous writes reach the handlers batched and in revision order, and a handler
// that writes again cannot reorder delivery. A watch starts with its replayed history already in its
// queue; since replay and registration happen in one synchronous step there is no gap or duplicate.
import type { StorageEvent, Watch, WatchHandlers } from './backend.js';

export interface WatchHub {
  /** Number of open watches. */
  readonly size: number;
  /** Register a watch on `prefix` for revisions > `afterRevision`, first delivering `replay`. */
  add(prefix: string, afterRevision: number, replay: StorageEvent[], handlers: WatchHandlers): Watch;
  /** Hand one committed event to every matching watch (in revision order). */
  publish(ev: StorageEvent): void;
  /** End every watch: queued events are delivered, then onError(err). */
  endAll(err: Error): void;
}

type State = 'open' | 'ending' | 'done';

class Watcher implements Watch {
  private queue: StorageEvent[];
  private scheduled = false;
  private state: State = 'open';
  private endErr: Error | undefined;

  constructor(
    private readonly watchers: Set<Watcher>,
    private readonly published: () => number,
    readonly prefix: string,
    readonly after: number,
    replay: StorageEvent[],
    private readonly handlers: WatchHandlers,
  ) {
    this.queue = replay;
    if (replay.length > 0) this.schedule();
  }

  push(ev: StorageEvent): void {
    if (this.state !== 'open' || ev.kv.modRevision <= this.after || !ev.kv.key.startsWith(this.prefix)) return;
    this.queue.push(ev);
    this.schedule();
  }

  end(err: Error): void {
    if (this.state !== 'open') return;
    this.state = 'ending';
    this.endErr = err;
    this.watchers.delete(this);
    this.schedule();
  }

  progress(): number | undefined {
    // an empty queue with no flush pending: every event published so far was handed over
    if (this.state !== 'open' || this.scheduled || this.queue.length > 0) return undefined;
    return Math.max(this.after, this.published());
  }

  cancel(): void {
    this.state = 'done';
    this.queue = [];
    this.watchers.delete(this);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.state === 'done') return;
    if (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        this.handlers.onEvents(batch);
      } catch (e) {
        // A handler that throws ends its own watch; the error is reported through onError.
        this.queue = [];
        if (this.state === 'open') {
          this.state = 'ending';
          this.watchers.delete(this);
        }
        this.endErr = e instanceof Error ? e : new Error(String(e));
      }
    }
    if (this.state === 'ending' && this.queue.length === 0) {
      this.state = 'done';
      this.handlers.onError(this.endErr ?? new Error('watch ended'));
    }
  }
}

export function createWatchHub(): WatchHub {
  const watchers = new Set<Watcher>();
  let published = 0;
  const publishedRev = () => published;
  return {
    get size() {
      return watchers.size;
    },
    add(prefix, afterRevision, replay, handlers) {
      const w = new Watcher(watchers, publishedRev, prefix, afterRevision, replay, handlers);
      watchers.add(w);
      return w;
    },
    publish(ev) {
      for (const w of watchers) w.push(ev);
      published = ev.kv.modRevision;
    },
    endAll(err) {
      for (const w of [...watchers]) w.end(err);
    },
  };
}
