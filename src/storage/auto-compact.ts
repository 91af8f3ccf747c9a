// Periodic compaction that keeps the newest `retainRevisions` revisions of history.
import type { Backend } from './backend.js';

export interface AutoCompactOptions {
  /** Milliseconds between compaction runs; absent or 0: no automatic compaction. */
  compactInterval?: number;
  /** Revisions of history to keep behind the current one (default 1000). */
  retainRevisions?: number;
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
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const target = (await backend.currentRevision()) - retain;
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
