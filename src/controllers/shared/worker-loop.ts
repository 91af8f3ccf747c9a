// The worker side of a controller: N loops taking keys from a work queue, calling `sync`, forgetting
// the key's backoff on success and re-adding it rate-limited on failure.

import type { WorkQueue } from '../../base/work-queue.js';
import { StatusError } from '../../base/errors.js';

export function runWorkers(queue: WorkQueue<string>, workers: number, sync: (key: string) => Promise<void>, onError: (key: string, e: unknown) => void): Promise<void> {
  const loop = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await sync(key);
        queue.forget(key);
      } catch (e) {
        if (!queue.isShuttingDown()) {
          // a conflict only means the cache was behind: retry soon without a report
          if (!(e instanceof StatusError && e.code === 409)) onError(key, e);
          queue.addRateLimited(key);
        }
      } finally {
        queue.done(key);
      }
    }
  };
  return Promise.all(Array.from({ length: Math.max(1, workers) }, loop)).then(() => undefined);
}

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
