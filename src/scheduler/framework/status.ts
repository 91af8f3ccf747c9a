// Results of plugin calls as values with codes (never exceptions). Success is `undefined` on the hot
// path so that a passing filter allocates nothing; failures carry one or more human-readable reasons.

type Code = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error' | 'Skip';

export interface Status {
  readonly code: Exclude<Code, 'Success'>;
  /** Upstream-style reasons, e.g. `Insufficient cpu`; each counts once per node in the final message. */
  readonly reasons: readonly string[];
  /** The plugin that produced it (set by the runner). */
  plugin?: string;
}

/** `undefined` means Success. */
export type Result = Status | undefined;

export const unschedulable = (...reasons: string[]): Status => ({ code: 'Unschedulable', reasons });
export const unresolvable = (...reasons: string[]): Status => ({ code: 'UnschedulableAndUnresolvable', reasons });
export const errorStatus = (message: string): Status => ({ code: 'Error', reasons: [message] });
export const SKIP: Status = Object.freeze({ code: 'Skip', reasons: [] }) as Status;

/** A frozen failure for a fixed reason: reused across nodes and cycles. */
export function fixed(code: 'Unschedulable' | 'UnschedulableAndUnresolvable', reason: string): Status {
  return Object.freeze({ code, reasons: Object.freeze([reason]) }) as Status;
}
