// The one skeleton every controller runs on: start the caches it reads and wait until they have
// synced, then run N workers over its work queue (a key is synced by one worker at a time; a failed
// sync is retried with the queue's per-key backoff, a successful one resets it), and on stop let
// the keys being synced finish, skip the ones still queued, and only then resolve. Controllers keep
// their informer handlers (which only enqueue keys) and their sync function; nothing else.

import type { Logger } from '../../base/log.js';
import { StatusError } from '../../base/errors.js';
import type { WorkQueue, WorkQueueStats } from '../../base/work-queue.js';
import { errorText } from './error-text.js';

/** A cache the controller reads: an informer, a group of informers. */
export interface CacheSource {
  /** Starts filling the cache (idempotent). */
  start(): void;
  /** Resolves once the first full listing is in the cache (or the source was stopped). */
  whenSynced(): Promise<void>;
}

export interface ControllerSpec {
  /** The controller's name (`deployment`, `garbage-collector`, ...), as in stats and logs. */
  name: string;
  /** The controller's logger: `deps.log.child(name)`. */
  log: Logger;
  /**
   * The caches that must have synced before the first sync, or a function that makes them first
   * (the garbage collector discovers its resources); `signal` aborts when the controller stops.
   */
  informers: readonly CacheSource[] | ((signal: AbortSignal) => Promise<readonly CacheSource[]>);
  queue: WorkQueue<string>;
  /** Concurrent workers (at least 1). */
  workers: number;
  /** Reconciles one key. A throw re-queues the key with backoff (409 Conflict without a log line: the cache was behind). */
  sync(key: string): Promise<void>;
  /** Work done every `everyMs` once synced (typically enqueueing keys time alone makes due). */
  periodic?: { everyMs: number; run(): void };
  /** Runs after the workers have stopped (release what the controller owns, such as its own informers). */
  onStop?(): Promise<void> | void;
}

interface ControllerStats {
  /** Syncs that returned. */
  synced: number;
  /** Syncs that threw. */
  failed: number;
  /** Keys being synced now. */
  inFlight: number;
  /** Keys waiting for a worker. */
  queued: number;
  /** the work queue's figures: depth, adds, retries, queue latency, work duration */
  queue: WorkQueueStats;
}

export interface RunningController {
  readonly name: string;
  /** Resolves once the controller's caches have synced and its workers run (or it was stopped). */
  ready(): Promise<void>;
  /** Stops taking keys, waits for the syncs in progress, then stops. */
  stop(): Promise<void>;
  stats(): ControllerStats;
}

const isConflict = (e: unknown) => e instanceof StatusError && e.code === 409;

export function runController(spec: ControllerSpec): RunningController {
  const { queue, log } = spec;
  const abort = new AbortController();
  const stats = { synced: 0, failed: 0, inFlight: 0 };
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => {};
  const readyP = new Promise<void>((r) => {
    markReady = r;
  });

  async function worker(): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      if (stopping) {
        queue.done(key);
        continue;
      }
      stats.inFlight++;
      try {
        await spec.sync(key);
        stats.synced++;
        queue.forget(key);
      } catch (e) {
        stats.failed++;
        if (!stopping) {
          if (isConflict(e)) log.debug('sync conflict, retrying', { key, error: errorText(e) });
          else log.warn('sync failed', { key, error: errorText(e) });
          queue.addRateLimited(key);
        }
      } finally {
        stats.inFlight--;
        queue.done(key);
      }
    }
  }

  // waiting for caches ends at stop(): a cache that never syncs must not hold up the shutdown
  const stopped = new Promise<undefined>((r) => abort.signal.addEventListener('abort', () => r(undefined), { once: true }));
  const unlessStopped = <T>(p: Promise<T>): Promise<T | undefined> => Promise.race([p, stopped]);

  const main = (async () => {
    const sources = typeof spec.informers === 'function' ? await unlessStopped(spec.informers(abort.signal)) : spec.informers;
    if (!sources || stopping) return;
    for (const s of sources) s.start();
    await unlessStopped(Promise.all(sources.map((s) => s.whenSynced())));
    if (stopping) return;
    log.debug('caches synced, workers started', { workers: Math.max(1, spec.workers) });
    markReady();
    if (spec.periodic) {
      const { everyMs, run } = spec.periodic;
      timer = setInterval(run, everyMs);
      timer.unref();
    }
    await Promise.all(Array.from({ length: Math.max(1, spec.workers) }, worker));
  })().catch((e: unknown) => {
    if (!stopping) log.error('controller stopped', { error: errorText(e) });
  });

  let stopP: Promise<void> | undefined;
  return {
    name: spec.name,
    ready: () => readyP,
    stop() {
      stopP ??= (async () => {
        stopping = true;
        abort.abort();
        markReady();
        if (timer) clearInterval(timer);
        await queue.shutDownWithDrain();
        await main;
        await spec.onStop?.();
      })();
      return stopP;
    },
    stats: () => ({ ...stats, queued: queue.len(), queue: queue.stats() }),
  };
}
