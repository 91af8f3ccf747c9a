// Results of plugin calls as values with codes (never exceptions). Success is `undefined` on the hot
// path so that a passing filter allocates nothing; failures carry one or more human-readable reasons.
// `Pending` (upstream's code for "waiting for an external event") parks the pod until the plugin
// says the event came, without counting the attempt as a scheduling failure.

type Code = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error' | 'Skip' | 'Pending';

export interface Status {
  readonly code: Exclude<Code, 'Success'>;
  /** Upstream-style reasons, e.g. `Insufficient cpu`; each counts once per node in the final message. */
  readonly reasons: readonly string[];
  /** The plugin that produced it (set by the runner). */
  plugin?: string;
  /** Pending only: the PodScheduled condition's reason while the pod waits, e.g. `WaitingForImageFacts`. */
  readonly waitReason?: string;
}

/** `undefined` means Success. */
export type Result = Status | undefined;

export const unschedulable = (...reasons: string[]): Status => ({ code: 'Unschedulable', reasons });
export const unresolvable = (...reasons: string[]): Status => ({ code: 'UnschedulableAndUnresolvable', reasons });
export const errorStatus = (message: string): Status => ({ code: 'Error', reasons: [message] });
export const pending = (waitReason: string, message: string): Status => ({ code: 'Pending', reasons: [message], waitReason });
export const SKIP: Status = Object.freeze({ code: 'Skip', reasons: [] }) as Status;

/**
 * A frozen failure for a fixed reason: reused across nodes and cycles. Give `plugin` when the
 * plugin's PostFilter needs to find its own rejections (the runner cannot tag a frozen status).
 */
export function fixed(code: 'Unschedulable' | 'UnschedulableAndUnresolvable', reason: string, plugin?: string): Status {
  return Object.freeze({ code, reasons: Object.freeze([reason]), ...(plugin ? { plugin } : {}) }) as Status;
}
