// Writes the scheduler makes after a binding that nothing waits for (a plugin's PostBind status,
// e.g. the isolation condition of a Windows pod): a few in flight at a time, in order, so that they
// never take the API client's connections from bindings, which are what scheduling throughput is
// made of (upstream's scheduler orders its asynchronous API calls by relevance in the same spirit).

import type { Logger } from '../base/log.js';

export interface BackgroundWrites {
  add(write: () => Promise<unknown>): void;
  /** Resolves when every write added so far has settled. */
  idle(): Promise<void>;
  pending(): number;
}

export function createBackgroundWrites(log: Logger, maxInFlight = 4): BackgroundWrites {
  const queue: Array<() => Promise<unknown>> = [];
  let inFlight = 0;
  let waiters: Array<() => void> = [];

  function pump(): void {
    while (inFlight < maxInFlight && queue.length > 0) {
      const w = queue.shift() as () => Promise<unknown>;
      inFlight++;
      Promise.resolve()
        .then(w)
        .catch((e: unknown) => log.warn('background write failed', { error: e }))
        .finally(() => {
          inFlight--;
          pump();
        });
    }
    if (inFlight === 0 && queue.length === 0 && waiters.length > 0) {
      const ws = waiters;
      waiters = [];
      for (const r of ws) r();
    }
  }

  return {
    add(write) {
      queue.push(write);
      pump();
    },
    idle: () => (inFlight === 0 && queue.length === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
    pending: () => inFlight + queue.length,
  };
}
