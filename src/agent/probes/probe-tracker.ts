// The result of one probe of one container over time: it turns to success after successThreshold
// consecutive successes and to failure after failureThreshold consecutive failures. Before the first
// verdict readiness and startup count as failed, liveness as passed.

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

export interface ProbeTracker {
  readonly kind: ProbeKind;
  result(): boolean;
  /** Records one outcome; answers true when the result flipped. */
  observe(ok: boolean): boolean;
}

export function createProbeTracker(kind: ProbeKind, successThreshold = 1, failureThreshold = 3): ProbeTracker {
  let result = kind === 'liveness';
  let successes = 0;
  let failures = 0;
  return {
    kind,
    result: () => result,
    observe(ok) {
      if (ok) {
        successes++;
        failures = 0;
      } else {
        failures++;
        successes = 0;
      }
      const before = result;
      if (ok && successes >= Math.max(1, successThreshold)) result = true;
      if (!ok && failures >= Math.max(1, failureThreshold)) result = false;
      return before !== result;
    },
  };
}
