// A clock that moves only when told to: for tests of anything that takes a Clock.

import type { Clock } from '../clock.js';

export interface ManualClock extends Clock {
  /** Moves time forward, running due timers in time order. */
  advance(ms: number): void;
  /** Number of timers not yet run or cancelled. */
  pending(): number;
}

/** A clock that moves only when told to: for tests. */
export function createManualClock(start = 0): ManualClock {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    schedule(fn, ms) {
      const id = seq++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return () => {
        timers.delete(id);
      };
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let next: [number, { at: number; fn: () => void }] | undefined;
        for (const e of timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
        if (!next) break;
        timers.delete(next[0]);
        now = Math.max(now, next[1].at);
        next[1].fn();
      }
      now = end;
    },
    pending: () => timers.size,
  };
}
