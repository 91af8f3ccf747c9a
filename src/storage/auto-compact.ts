// Periodic compaction that keeps the newest `retainRevisions` revisions of history, and at least
// `retainMs` of it: a busy cluster (5,000 nodes renew 500 Leases a second) writes 10,000 revisions
// in 20 s, and a paged list or a watch resumed after a short disconnect needs the history of the
// minutes before (upstream's API server compacts etcd every 5 minutes to the revision it saw 5
// minutes earlier). The revision current at each run is remembered, so the time bound costs nothing
// per write.
import type { Backend } from './backend.js';

export interface AutoCompactOptions {
  /** Milliseconds between compaction runs; absent or 0: no automatic compaction. */
  compactInterval?: number;
  /** Revisions of history to keep behind the current one (default 1000). */
  retainRevisions?: number;
  /** Keep at least the revisions written in this many milliseconds (default 0: revisions only). */
  retainMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

/**
 * What to compact to: `retain` revisions behind `current`, but not past the newest revision seen at
 * or before `now - retainMs` (nothing while no run is that old). `seen` is kept sorted by time.
 */
export function compactionTarget(
  current: number,
  retain: number,
  retainMs: number,
  now: number,
  seen: { at: number; rev: number }[],
): number {
  const byCount = current - retain;
  if (!(retainMs > 0)) return byCount;
  let byTime = 0;
  for (const s of seen) if (s.at <= now - retainMs) byTime = s.rev;
  return Math.min(byCount, byTime);
}

/** Starts the timer (unref'd, so it never keeps the process alive); returns a stop function. */
export function startAutoCompaction(
  backend: Pick<Backend, 'currentRevision' | 'compactedRevision' | 'compact'>,
  opts: AutoCompactOptions,
  onError: (err: unknown) => void = () => {},
): () => void {
  const interval = opts.compactInterval ?? 0;
  if (!(interval > 0)) return () => {};
  const retain = Math.max(0, opts.retainRevisions ?? 1000);
  const retainMs = Math.max(0, opts.retainMs ?? 0);
  const now = opts.now ?? Date.now;
  const seen: { at: number; rev: number }[] = [];
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const current = await backend.currentRevision();
      const t = now();
      seen.push({ at: t, rev: current });
      // only the newest run older than the window still matters
      while (seen.length > 1 && (seen[1]?.at ?? Infinity) <= t - retainMs) seen.shift();
      const target = compactionTarget(current, retain, retainMs, t, seen);
      if (target > (await backend.compactedRevision())) await backend.compact(target);
    } catch (e) {
      onError(e);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), interval);
  timer.unref();
  return () => clearInterval(timer);
}
