// A client-go style work queue: keys are processed by one worker at a time, repeated adds collapse,
// a key re-added while being processed is queued again when its worker calls done(). Delayed adds and
// per-key exponential backoff (5 ms doubling up to 1000 s) on top. Time comes from an injectable Clock.

import { realClock, type Clock } from './clock.js';

/** Decides how long an item waits before it is retried. */
export interface RateLimiter<T> {
  /** The delay for the next retry of `item` (counts a failure). */
  when(item: T): number;
  /** Clears the item's failure history. */
  forget(item: T): void;
  /** Failures counted for the item so far. */
  numRequeues(item: T): number;
}

/** Per-item exponential backoff: base, 2 x base, 4 x base, ... capped at max (client-go's default 5 ms .. 1000 s). */
export function createExponentialRateLimiter<T>(baseMs = 5, maxMs = 1_000_000): RateLimiter<T> {
  const failures = new Map<T, number>();
  return {
    when(item) {
      const n = failures.get(item) ?? 0;
      failures.set(item, n + 1);
      const d = baseMs * 2 ** n;
      return Number.isFinite(d) && d < maxMs ? d : maxMs;
    },
    forget(item) { failures.delete(item); },
    numRequeues: (item) => failures.get(item) ?? 0,
  };
}

export interface WorkQueue<T = string> {
  /** Queues the item unless it is already queued; if it is being processed it is queued again on done(). */
  add(item: T): void;
  /** Adds the item after `ms` (at once when ms <= 0); of several pending delays for one item the earliest wins. */
  addAfter(item: T, ms: number): void;
  /** Adds the item after the rate limiter's delay for it (a failed attempt). */
  addRateLimited(item: T): void;
  /** Resets the item's backoff (call after a successful attempt). */
  forget(item: T): void;
  numRequeues(item: T): number;
  /** The next item to process (marked as processing), or undefined once shut down and drained. */
  get(): Promise<T | undefined>;
  /** Marks the item's processing as finished. */
  done(item: T): void;
  /** Items waiting to be handed out (not counting delayed or in-process ones). */
  len(): number;
  /** Stops accepting items; waiting get() calls return undefined once the queue is empty. */
  shutDown(): void;
  /** shutDown(), then resolves when every item being processed is done. */
  shutDownWithDrain(): Promise<void>;
  isShuttingDown(): boolean;
}

export interface WorkQueueOptions<T> {
  clock?: Clock;
  rateLimiter?: RateLimiter<T>;
}

export function createWorkQueue<T = string>(opts: WorkQueueOptions<T> = {}): WorkQueue<T> {
  const clock = opts.clock ?? realClock;
  const limiter = opts.rateLimiter ?? createExponentialRateLimiter<T>();
  let queue: T[] = [];
  let head = 0; // index of the first live entry in `queue`
  const dirty = new Set<T>();
  const processing = new Set<T>();
  const waiters: ((item: T | undefined) => void)[] = [];
  const delayed = new Map<T, { at: number; cancel: () => void }>();
  const drainWaiters: (() => void)[] = [];
  let shutting = false;

  const size = () => queue.length - head;
  function pop(): T | undefined {
    if (head >= queue.length) return undefined;
    const item = queue[head] as T;
    head++;
    if (head > 1024 && head * 2 > queue.length) { queue = queue.slice(head); head = 0; }
    processing.add(item);
    dirty.delete(item);
    return item;
  }
  function dispatch(): void {
    while (waiters.length > 0 && size() > 0) {
      const w = waiters.shift();
      w?.(pop());
    }
    if (shutting && size() === 0) for (const w of waiters.splice(0)) w(undefined);
  }
  function add(item: T): void {
    if (shutting || dirty.has(item)) return;
    dirty.add(item);
    if (processing.has(item)) return;
    queue.push(item);
    dispatch();
  }
  function addAfter(item: T, ms: number): void {
    if (shutting) return;
    if (!(ms > 0)) { add(item); return; }
    const at = clock.now() + ms;
    const prev = delayed.get(item);
    if (prev && prev.at <= at) return;
    prev?.cancel();
    const cancel = clock.schedule(() => { delayed.delete(item); add(item); }, ms);
    delayed.set(item, { at, cancel });
  }
  function shutDown(): void {
    shutting = true;
    for (const d of delayed.values()) d.cancel();
    delayed.clear();
    dispatch();
  }

  return {
    add,
    addAfter,
    addRateLimited: (item) => addAfter(item, limiter.when(item)),
    forget: (item) => limiter.forget(item),
    numRequeues: (item) => limiter.numRequeues(item),
    get() {
      if (size() > 0) return Promise.resolve(pop());
      if (shutting) return Promise.resolve(undefined);
      return new Promise<T | undefined>((resolve) => waiters.push(resolve));
    },
    done(item) {
      if (!processing.delete(item)) return;
      if (dirty.has(item)) { queue.push(item); dispatch(); }
      if (processing.size === 0) for (const r of drainWaiters.splice(0)) r();
    },
    len: size,
    shutDown,
    shutDownWithDrain() {
      shutDown();
      if (processing.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => drainWaiters.push(resolve));
    },
    isShuttingDown: () => shutting,
  };
}
