// A client-go style work queue: keys are processed by one worker at a time, repeated adds collapse,
// a key re-added while being processed is queued again when its worker calls done(). Delayed adds and
// retries on top: by default the larger of a per-key exponential backoff (5 ms doubling up to 1000 s)
// and an overall token bucket (10 retries/s, bursts of 100), client-go's default controller rate
// limiter. stats() reports depth, adds, retries and how long keys wait and run; a named queue also
// records them as client-go's workqueue_* metrics. Time comes from an injectable Clock.

import { realClock, type Clock } from './clock.js';
import type { Registry } from './metrics.js';
import { queueMetrics } from './work-queue-metrics.js';

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
    forget(item) {
      failures.delete(item);
    },
    numRequeues: (item) => failures.get(item) ?? 0,
  };
}

/**
 * An overall token bucket: `qps` retries a second with bursts of `burst`, whatever the item
 * (client-go's BucketRateLimiter). Each call reserves a token and answers how long to wait for it.
 */
export function createBucketRateLimiter<T>(qps = 10, burst = 100, clock: Clock = realClock): RateLimiter<T> {
  let tokens = burst;
  let last = clock.now();
  return {
    when() {
      const now = clock.now();
      tokens = Math.min(burst, tokens + ((now - last) / 1000) * qps);
      last = now;
      tokens -= 1;
      return tokens >= 0 ? 0 : Math.ceil((-tokens / qps) * 1000);
    },
    forget() {},
    numRequeues: () => 0,
  };
}

/** The longest delay of several limiters (client-go's MaxOfRateLimiter); failures count in each. */
export function createMaxOfRateLimiter<T>(...limiters: RateLimiter<T>[]): RateLimiter<T> {
  return {
    when: (item) => limiters.reduce((d, l) => Math.max(d, l.when(item)), 0),
    forget: (item) => {
      for (const l of limiters) l.forget(item);
    },
    numRequeues: (item) => limiters.reduce((n, l) => Math.max(n, l.numRequeues(item)), 0),
  };
}

export interface WorkQueueStats {
  /** items waiting to be handed out */
  depth: number;
  /** items being processed */
  inFlight: number;
  /** items waiting for a delay or a retry */
  delayed: number;
  /** add() calls that queued an item (not the ones that collapsed into a queued one) */
  adds: number;
  /** addRateLimited() calls */
  retries: number;
  /** time from queueing to being handed out, over the items handed out so far */
  queueLatencyMs: { avg: number; max: number };
  /** time from being handed out to done(), over the items done so far */
  workDurationMs: { avg: number; max: number };
  /** how long the oldest item in process has been running */
  longestRunningMs: number;
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
  stats(): WorkQueueStats;
}

export interface WorkQueueOptions<T> {
  clock?: Clock;
  /** default: max(per-item exponential 5 ms .. 1000 s, overall bucket 10/s burst 100) */
  rateLimiter?: RateLimiter<T>;
  /** the `name` label of its workqueue_* metrics (upstream's queue names); unnamed queues record none */
  name?: string;
  /** where a named queue's metrics go (default: this realm's default registry) */
  metrics?: Registry;
}

export function createWorkQueue<T = string>(opts: WorkQueueOptions<T> = {}): WorkQueue<T> {
  const clock = opts.clock ?? realClock;
  const limiter = opts.rateLimiter ?? createMaxOfRateLimiter(createExponentialRateLimiter<T>(), createBucketRateLimiter<T>(10, 100, clock));
  const queuedAt = new Map<T, number>();
  const startedAt = new Map<T, number>();
  const waited = { n: 0, sum: 0, max: 0 };
  const worked = { n: 0, sum: 0, max: 0 };
  let adds = 0;
  let retries = 0;
  let m = opts.name ? queueMetrics(opts.name, opts.metrics) : undefined;
  const observe = (acc: { n: number; sum: number; max: number }, ms: number) => {
    acc.n++;
    acc.sum += ms;
    if (ms > acc.max) acc.max = ms;
  };
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
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    processing.add(item);
    dirty.delete(item);
    const now = clock.now();
    const waitedMs = now - (queuedAt.get(item) ?? now);
    observe(waited, waitedMs);
    if (m) {
      m.depth.dec();
      m.queueSeconds.observe(waitedMs / 1000);
    }
    queuedAt.delete(item);
    startedAt.set(item, now);
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
    adds++;
    m?.adds.inc();
    queuedAt.set(item, clock.now());
    if (processing.has(item)) return;
    queue.push(item);
    m?.depth.inc();
    dispatch();
  }
  function addAfter(item: T, ms: number): void {
    if (shutting) return;
    if (!(ms > 0)) {
      add(item);
      return;
    }
    const at = clock.now() + ms;
    const prev = delayed.get(item);
    if (prev && prev.at <= at) return;
    prev?.cancel();
    const cancel = clock.schedule(() => {
      delayed.delete(item);
      add(item);
    }, ms);
    delayed.set(item, { at, cancel });
  }
  function shutDown(): void {
    shutting = true;
    // what is left is not waiting any more: a successor queue of the same name starts from its own depth
    if (m) {
      m.depth.dec(size());
      m = undefined;
    }
    for (const d of delayed.values()) d.cancel();
    delayed.clear();
    dispatch();
  }

  return {
    add,
    addAfter,
    addRateLimited: (item) => {
      retries++;
      m?.retries.inc();
      addAfter(item, limiter.when(item));
    },
    forget: (item) => limiter.forget(item),
    numRequeues: (item) => limiter.numRequeues(item),
    get() {
      if (size() > 0) return Promise.resolve(pop());
      if (shutting) return Promise.resolve(undefined);
      return new Promise<T | undefined>((resolve) => waiters.push(resolve));
    },
    done(item) {
      if (!processing.delete(item)) return;
      const began = startedAt.get(item);
      startedAt.delete(item);
      if (began !== undefined) {
        observe(worked, clock.now() - began);
        m?.workSeconds.observe((clock.now() - began) / 1000);
      }
      if (dirty.has(item)) {
        queue.push(item);
        m?.depth.inc();
        dispatch();
      }
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
    stats() {
      const now = clock.now();
      let longest = 0;
      for (const t of startedAt.values()) longest = Math.max(longest, now - t);
      const avg = (a: { n: number; sum: number }) => (a.n ? a.sum / a.n : 0);
      return {
        depth: size(),
        inFlight: processing.size,
        delayed: delayed.size,
        adds,
        retries,
        queueLatencyMs: { avg: avg(waited), max: waited.max },
        workDurationMs: { avg: avg(worked), max: worked.max },
        longestRunningMs: longest,
      };
    },
  };
}
