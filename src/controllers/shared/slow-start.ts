// Slow-start batches, as upstream's controllers create pods: 1 call, then 2, 4, 8, ... while every
// call of a batch succeeds; the first failing batch stops the run. Calls of one batch run
// concurrently, at most `inFlight` at a time.

export interface SlowStartResult {
  /** Calls that succeeded. */
  succeeded: number;
  /** Calls never made because an earlier batch failed. */
  skipped: number;
  /** Errors of the failing batch (empty on success). */
  errors: unknown[];
}

export async function slowStartBatch(
  count: number,
  fn: (i: number) => Promise<void>,
  opts: { initial?: number; inFlight?: number } = {},
): Promise<SlowStartResult> {
  const inFlight = Math.max(1, opts.inFlight ?? 64);
  let remaining = count;
  let succeeded = 0;
  let batch = Math.min(remaining, Math.max(1, opts.initial ?? 1));
  let index = 0;
  while (batch > 0) {
    const errors: unknown[] = [];
    let next = 0;
    const size = batch;
    const base = index;
    const lane = async () => {
      while (next < size) {
        const i = base + next++;
        try {
          await fn(i);
          succeeded++;
        } catch (e) {
          errors.push(e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, size) }, lane));
    index += size;
    remaining -= size;
    if (errors.length > 0) return { succeeded, skipped: remaining, errors };
    batch = Math.min(remaining, 2 * size);
  }
  return { succeeded, skipped: 0, errors: [] };
}
