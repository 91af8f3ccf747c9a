// Gives back the heap a burst of work left behind. After a burst (150,000 pods created, say) V8's old
// generation is full of pages that each hold a few live objects among freed ones: a full GC frees the
// objects but keeps every page that still holds one, so the process keeps the burst's peak. V8's own
// memory reducer compacts such a heap only when the program allocates almost nothing, which a control
// plane never does (5,000 nodes renewing their Leases allocate several MB a second). Measured at 1,000
// nodes and 30,000 pods: after a plain full GC the API server's heap was 231 MB used of 382 MB, the
// control loops' 138 of 244; after a compacting one 231 of 268 and 138 of 143 (RSS 826 → 609 MB).
//
// So each isolate that holds the cluster's objects looks at its heap now and then, and when the heap
// has grown well beyond its size after the last trim (a burst) and the event loop has been mostly
// idle since the last look, runs one full GC with compaction of every page (trimHeapNow). Growth is
// the trigger, not the free space V8 reports: until a major GC runs, a burst's garbage counts as
// used. The pause is 1.5–3.5 ms per MB in use on this 2-core machine, hence the idle condition and
// the least gap between two trims; a cluster that stays the same size is not trimmed again.
// Compaction copies the live objects to fresh pages before it frees the old ones, so for a moment the
// process holds the live heap twice (5,000 nodes and 150,000 pods: RSS ~3.0 → ~4.0 GB for a second,
// then ~2.1 GB); a trim is skipped when that copy would not fit in the host's (or the cgroup's) memory.

import { totalmem } from 'node:os';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { runInNewContext } from 'node:vm';
import type { Logger } from './log.js';

export interface HeapTrimOptions {
  log: Logger;
  /** how often the heap is looked at (default 20 s) */
  everyMs?: number;
  /** least time between two trims (default 1 min; growth, not time, is what asks for one) */
  minGapMs?: number;
  /** trim only when the event loop was busy less than this share of the time since the last look (default 0.5) */
  busyBelow?: number;
  /** trim only when the heap has grown by this many MB since the last trim (or the first look) (default 96) */
  minGrowthMb?: number;
  /** ... and by this share of that size (default 0.25) */
  minGrowthShare?: number;
  /** the memory the process may use (default the cgroup's limit, else the host's memory); a trim needs RSS + the heap in use below 90% of it */
  memoryLimitBytes?: number;
}

export interface TrimResult {
  /** heap size and heap in use before and after, MB */
  totalBeforeMb: number;
  usedBeforeMb: number;
  totalAfterMb: number;
  usedAfterMb: number;
  /** the collection's pause, ms */
  pauseMs: number;
}

export interface HeapTrim {
  /** One look, as the timer does it: the trim it ran, or why it did not. */
  check(): TrimResult | string;
  stop(): void;
}

const MB = 1024 * 1024;

type GcFn = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;

let gcFn: GcFn | undefined;
/** V8's gc(): the global one when the process was started with --expose-gc, else one from a fresh context. */
function fullGc(): GcFn {
  if (gcFn) return gcFn;
  const existing = (globalThis as { gc?: GcFn }).gc;
  if (typeof existing === 'function') return (gcFn = existing);
  setFlagsFromString('--expose-gc');
  return (gcFn = runInNewContext('gc') as GcFn);
}

/** Which way compacts on this Node (see trimHeapNow); found by the first trim that gives pages back. */
let method: 'flag' | 'last-resort' | undefined;

function compactingGc(gc: GcFn, how: 'flag' | 'last-resort'): void {
  if (how === 'last-resort') {
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    return;
  }
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    gc();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
}

/**
 * One full GC that compacts every page. V8 versions differ in how to ask: Node 20's V8 honours
 * --compact-on-every-full-gc set at run time for a plain gc() (and ignores gc()'s options); Node
 * 24's ignores that flag but takes gc()'s flavor `last-resort` (the memory-reducing collection of a
 * low-memory notification). Until one of them has given pages back, the trim finds out: a plain GC
 * first (so that freed garbage is not taken for compaction), then each way in turn.
 */
export function trimHeapNow(): TrimResult {
  const gc = fullGc();
  const before = getHeapStatistics();
  const t0 = performance.now();
  if (method) compactingGc(gc, method);
  else {
    gc();
    let size = getHeapStatistics().total_heap_size;
    for (const how of ['flag', 'last-resort'] as const) {
      compactingGc(gc, how);
      const now = getHeapStatistics().total_heap_size;
      if (now < 0.95 * size) {
        method = how;
        break;
      }
      size = now;
    }
  }
  const pauseMs = performance.now() - t0;
  const after = getHeapStatistics();
  return {
    totalBeforeMb: before.total_heap_size / MB,
    usedBeforeMb: before.used_heap_size / MB,
    totalAfterMb: after.total_heap_size / MB,
    usedAfterMb: after.used_heap_size / MB,
    pauseMs,
  };
}

/** startHeapTrim unless the environment turns it off (TANDEM_HEAP_TRIM=off). */
export function startHeapTrimUnlessOff(log: Logger): HeapTrim | undefined {
  return process.env['TANDEM_HEAP_TRIM'] === 'off' ? undefined : startHeapTrim({ log });
}

/** Looks at this isolate's heap every `everyMs` and trims it when the conditions hold (see the file's head). */
export function startHeapTrim(o: HeapTrimOptions): HeapTrim {
  const everyMs = o.everyMs ?? 20_000;
  const minGapMs = o.minGapMs ?? 60_000;
  const busyBelow = o.busyBelow ?? 0.5;
  const minGrowth = (o.minGrowthMb ?? 96) * MB;
  const minShare = o.minGrowthShare ?? 0.25;
  // the heap's size after the last trim, or the smallest seen since: what growth is measured from
  let base = getHeapStatistics().total_heap_size;
  const limit = o.memoryLimitBytes ?? Math.min(totalmem(), process.constrainedMemory?.() || Infinity);
  let lastElu: EventLoopUtilization = performance.eventLoopUtilization();
  let lastTrim = -Infinity;

  const trim = (): TrimResult => {
    const r = trimHeapNow();
    lastTrim = performance.now();
    base = r.totalAfterMb * MB;
    const f = (n: number) => Math.round(n);
    o.log.info('heap trimmed after a burst', {
      heapMb: `${f(r.usedBeforeMb)} of ${f(r.totalBeforeMb)} → ${f(r.usedAfterMb)} of ${f(r.totalAfterMb)}`,
      pauseMs: f(r.pauseMs),
    });
    return r;
  };

  const check = (): TrimResult | string => {
    const elu = performance.eventLoopUtilization(lastElu);
    lastElu = performance.eventLoopUtilization();
    if (performance.now() - lastTrim < minGapMs) return 'trimmed recently';
    const h = getHeapStatistics();
    const total = h.total_heap_size;
    base = Math.min(base, total);
    if (total - base < minGrowth || total - base < minShare * base)
      return `little growth (${Math.round(base / MB)} → ${Math.round(total / MB)} MB)`;
    if (elu.utilization >= busyBelow) return `event loop busy (${elu.utilization.toFixed(2)})`;
    const need = process.memoryUsage.rss() + h.used_heap_size;
    if (need > 0.9 * limit) return `no room for the compaction's copy (${Math.round(need / MB)} of ${Math.round(limit / MB)} MB)`;
    return trim();
  };

  const timer = setInterval(() => {
    try {
      check();
    } catch (e) {
      o.log.warn('heap trim failed', { error: e });
    }
  }, everyMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
