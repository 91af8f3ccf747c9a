// One periodic tick drives every node's heartbeat: node i of n owns the offset i*interval/n inside
// each interval, so renewals are spread evenly over time (5,000 nodes, 10 s: 50 per 100 ms tick)
// instead of arriving in bursts, and the fleet holds one timer however many nodes it has.

import type { Clock } from '../../base/clock.js';

export interface LeaseWheelOptions {
  clock: Clock;
  /** number of slots (nodes) */
  slots: number;
  /** every slot fires once per interval */
  intervalMs: number;
  /** tick period (default 100 ms, at most the interval) */
  tickMs?: number;
  /** where in the interval the fleet starts, 0..1 (default random, so several fleets do not align) */
  phase?: number;
  onDue(slot: number): void;
}

export interface LeaseWheel {
  start(): void;
  stop(): void;
  /** Offset of a slot inside the interval, in ms. */
  offsetOf(slot: number): number;
}

export function createLeaseWheel(o: LeaseWheelOptions): LeaseWheel {
  const interval = Math.max(1, Math.floor(o.intervalMs));
  const n = Math.max(0, Math.floor(o.slots));
  const tick = Math.max(1, Math.min(o.tickMs ?? 100, interval));
  let pos = Math.floor((o.phase ?? Math.random()) * interval) % interval;
  let last = 0;
  let cancel: (() => void) | undefined;
  let running = false;

  // slots whose offset lies in (a, b], 0 <= a < b < interval (a may be -1)
  const fireRange = (a: number, b: number) => {
    const from = Math.max(0, Math.ceil(((a + 1) * n) / interval));
    const to = Math.min(n - 1, Math.ceil(((b + 1) * n) / interval) - 1);
    for (let i = from; i <= to; i++) o.onDue(i);
  };
  const onTick = () => {
    if (!running) return;
    const now = o.clock.now();
    const elapsed = Math.max(0, now - last);
    last = now;
    if (elapsed >= interval) {
      for (let i = 0; i < n; i++) o.onDue(i);
      pos = (pos + elapsed) % interval;
    } else if (elapsed > 0) {
      const end = pos + elapsed;
      if (end < interval) fireRange(pos, end);
      else {
        fireRange(pos, interval - 1);
        fireRange(-1, end - interval);
      }
      pos = end % interval;
    }
    cancel = o.clock.schedule(onTick, tick);
  };
  return {
    start() {
      if (running) return;
      running = true;
      last = o.clock.now();
      cancel = o.clock.schedule(onTick, tick);
    },
    stop() {
      running = false;
      cancel?.();
      cancel = undefined;
    },
    offsetOf: (slot) => Math.floor((slot * interval) / n),
  };
}
