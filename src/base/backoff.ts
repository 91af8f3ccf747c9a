// Exponential backoff with jitter, in the manner of apimachinery's wait.Backoff: each step returns the
// current delay (plus up to `jitter` x delay) and multiplies the delay by `factor`, up to `maxMs`.

export interface BackoffOptions {
  /** First delay in ms. */
  initialMs: number;
  /** Multiplier per step (default 2; 1 keeps the delay constant). */
  factor?: number;
  /** Extra random delay, as a fraction of the delay: 0.1 adds up to 10 % (default 0). */
  jitter?: number;
  /** Upper bound of the un-jittered delay (default: none). */
  maxMs?: number;
  /** Number of steps before exhausted() turns true (default: unlimited). */
  steps?: number;
  /** Source of randomness in [0, 1) (default Math.random), injectable for tests. */
  random?: () => number;
}

export interface Backoff {
  /** The next delay in ms; after the steps run out it keeps returning the last (capped) delay. */
  next(): number;
  /** Back to the initial delay and the full number of steps. */
  reset(): void;
  /** Steps taken since creation or the last reset. */
  readonly attempts: number;
  /** True once `steps` delays have been handed out. */
  exhausted(): boolean;
}

export function createBackoff(opts: BackoffOptions): Backoff {
  const factor = opts.factor ?? 2;
  const jitter = opts.jitter ?? 0;
  const random = opts.random ?? Math.random;
  const cap = opts.maxMs ?? Infinity;
  const steps = opts.steps ?? Infinity;
  let delay = Math.min(opts.initialMs, cap);
  let attempts = 0;
  const withJitter = (d: number) => (jitter > 0 ? d + random() * jitter * d : d);
  return {
    next() {
      const d = delay;
      attempts++;
      if (attempts <= steps) delay = Math.min(delay * factor, cap);
      return withJitter(d);
    },
    reset() {
      delay = Math.min(opts.initialMs, cap);
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
    exhausted: () => attempts >= steps,
  };
}

export interface RetryOptions extends BackoffOptions {
  /** Whether an error is worth another attempt (default: all are). */
  retryable?: (err: unknown) => boolean;
  /** How to wait (default setTimeout); injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Calls `fn` until it resolves, waiting a backoff delay between attempts. Gives up, rethrowing the
 * last error, when it is not retryable or after `steps` attempts (default 5).
 */
export async function retryWithBackoff<R>(fn: (attempt: number) => Promise<R>, opts: RetryOptions): Promise<R> {
  const steps = opts.steps ?? 5;
  const backoff = createBackoff({ ...opts, steps });
  const sleep = opts.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= steps || (opts.retryable && !opts.retryable(err))) throw err;
      await sleep(backoff.next());
    }
  }
}
