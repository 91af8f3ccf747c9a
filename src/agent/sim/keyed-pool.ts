// Bounded concurrency for API writes, keyed: a key is queued at most once, and a key submitted while
// its write is in flight runs once more afterwards (the write reads the newest state when it starts).

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
): KeyedPool {
  const queue = new Set<string>();
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
      const key = queue.values().next().value as string;
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
