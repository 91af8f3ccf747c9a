// A loop that makes something match a whole desired state after changes (the service proxy's rules,
// the pod network's routes): changes only mark the state dirty; an apply runs at most once per
// `minIntervalMs`, never two at once, and one that throws is retried with exponential back-off
// (jittered, as apimachinery's wait.Backoff) until one succeeds. Nothing runs before `enable()`
// (the caller's caches have synced), and `stop()` waits for the apply in progress.

import { createBackoff } from './backoff.js';
import type { Clock } from './clock.js';

export interface CoalescedApplyOptions {
  clock: Clock;
  minIntervalMs: number;
  /** back-off after a failed apply: first delay and cap (default 1 s, 30 s) */
  retry?: { initial: number; max: number };
  /** one attempt at the whole state; throwing asks for a retry */
  apply(): Promise<void>;
  /** an attempt failed; the next one runs after `delayMs` */
  onRetry(error: unknown, delayMs: number): void;
  /** an attempt succeeded after failures */
  onRecovered?(): void;
  /** an attempt succeeded (after onRecovered) */
  onApplied?(): void;
}

export interface CoalescedApply {
  /** the desired state changed: apply it again */
  changed(): void;
  /** start applying (before, changes only mark the state dirty) */
  enable(): void;
  /** no further applies; resolves once the one in progress has ended */
  stop(): Promise<void>;
}

export function createCoalescedApply(o: CoalescedApplyOptions): CoalescedApply {
  const backoff = createBackoff({ initialMs: o.retry?.initial ?? 1000, maxMs: o.retry?.max ?? 30_000, jitter: 0.1 });
  let enabled = false;
  let stopped = false;
  let dirty = true;
  let lastStart = -Infinity;
  let cancelTimer: (() => void) | undefined;
  let applying: Promise<void> | undefined;

  const kick = () => {
    if (stopped || !enabled || !dirty || cancelTimer || applying) return;
    schedule(Math.max(0, lastStart + o.minIntervalMs - o.clock.now()));
  };
  const schedule = (ms: number) => {
    cancelTimer = o.clock.schedule(() => {
      cancelTimer = undefined;
      applying = attempt().finally(() => {
        applying = undefined;
        kick();
      });
    }, ms);
  };

  async function attempt(): Promise<void> {
    if (stopped || !dirty) return;
    dirty = false;
    lastStart = o.clock.now();
    try {
      await o.apply();
      if (backoff.attempts > 0) o.onRecovered?.();
      backoff.reset();
      o.onApplied?.();
    } catch (e) {
      dirty = true;
      const delay = Math.max(o.minIntervalMs, backoff.next());
      o.onRetry(e, delay);
      if (!stopped && !cancelTimer) schedule(delay);
    }
  }

  return {
    changed() {
      dirty = true;
      kick();
    },
    enable() {
      enabled = true;
      kick();
    },
    async stop() {
      stopped = true;
      cancelTimer?.();
      cancelTimer = undefined;
      await applying;
    },
  };
}
