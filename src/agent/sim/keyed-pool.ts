// Bounded concurrency for API writes, keyed: a key is queued at most once, and a key submitted while
// its write is in flight runs once more afterwards (the write reads the newest state when it starts).
// Urgent keys (the nodes' Lease renewals) start before any other queued key, so a burst of status
// writes cannot delay heartbeats past the node monitor's grace period.

export interface KeyedPool {
  submit(key: string): void;
  inFlight(): number;
  queued(): number;
  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void>;
  /** Drops queued keys; resolves when in-flight writes are done. */
  stop(): Promise<void>;
}

export function createKeyedPool(
  limit: number,
  work: (key: string) => Promise<void>,
  onError: (key: string, err: unknown) => void,
  urgent: (key: string) => boolean = () => false,
): KeyedPool {
  const first = new Set<string>();
  const rest = new Set<string>();
  const queueOf = (key: string) => (urgent(key) ? first : rest);
  const queue = {
    get size() {
      return first.size + rest.size;
    },
    add: (key: string) => void queueOf(key).add(key),
    clear() {
      first.clear();
      rest.clear();
    },
    next: (): string => (first.size > 0 ? first : rest).values().next().value as string,
    delete: (key: string) => void queueOf(key).delete(key),
  };
  const running = new Set<string>();
  const again = new Set<string>();
  let idleWaiters: Array<() => void> = [];
  let stopped = false;

  const checkIdle = () => {
    if (queue.size === 0 && running.size === 0) {
      const w = idleWaiters;
      idleWaiters = [];
      for (const f of w) f();
    }
  };
  const pump = () => {
    while (!stopped && running.size < limit && queue.size > 0) {
      const key = queue.next();
      queue.delete(key);
      running.add(key);
      void work(key)
        .catch((e: unknown) => onError(key, e))
        .finally(() => {
          running.delete(key);
          if (again.delete(key) && !stopped) queue.add(key);
          pump();
          checkIdle();
        });
    }
  };
  return {
    submit(key) {
      if (stopped) return;
      if (running.has(key)) {
        again.add(key);
        return;
      }
      queue.add(key);
      pump();
    },
    inFlight: () => running.size,
    queued: () => queue.size,
    idle() {
      if (queue.size === 0 && running.size === 0) return Promise.resolve();
      return new Promise((r) => idleWaiters.push(r));
    },
    async stop() {
      stopped = true;
      queue.clear();
      again.clear();
      await new Promise<void>((r) => {
        idleWaiters.push(r);
        checkIdle();
      });
    },
  };
}
