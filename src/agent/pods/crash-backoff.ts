// Per-key restart back-off as upstream's kubelet keeps it: 10 s doubling to 300 s; a key that has
// been left alone for twice the maximum (10 minutes of running) starts again at 10 s.

export interface CrashBackoffOptions {
  initialMs?: number;
  maxMs?: number;
  now: () => number;
}

export interface CrashBackoff {
  /** Whether `key` is still backing off at `from` (the last exit); answers the remaining ms. */
  remaining(key: string, from: number): number;
  /** Records an attempt to restart now; answers the delay that now applies. */
  next(key: string): number;
  /** The delay that applies to key (0 when none). */
  current(key: string): number;
  reset(key: string): void;
  gc(): void;
}

export function createCrashBackoff(opts: CrashBackoffOptions): CrashBackoff {
  const initial = opts.initialMs ?? 10_000;
  const max = opts.maxMs ?? 300_000;
  const entries = new Map<string, { delay: number; lastUpdate: number }>();
  const stale = (e: { lastUpdate: number }, t: number) => t - e.lastUpdate > 2 * max;
  return {
    remaining(key, from) {
      const e = entries.get(key);
      if (!e) return 0;
      const t = opts.now();
      if (stale(e, t)) {
        entries.delete(key);
        return 0;
      }
      return Math.max(0, from + e.delay - t);
    },
    next(key) {
      const t = opts.now();
      const e = entries.get(key);
      if (!e || stale(e, t)) {
        entries.set(key, { delay: initial, lastUpdate: t });
        return initial;
      }
      e.delay = Math.min(e.delay * 2, max);
      e.lastUpdate = t;
      return e.delay;
    },
    current: (key) => entries.get(key)?.delay ?? 0,
    reset(key) {
      entries.delete(key);
    },
    gc() {
      const t = opts.now();
      for (const [k, e] of entries) if (stale(e, t)) entries.delete(k);
    },
  };
}
