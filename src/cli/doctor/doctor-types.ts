// The shape of `tandem doctor`'s answers: one verdict per check, with what was seen and what to do.

type Verdict = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** stable name scripts can key on (`api.reachable`, `files.modes`, …) */
  id: string;
  title: string;
  verdict: Verdict;
  /** what was found */
  detail: string;
  /** what to do about it (for warn and fail) */
  fix?: string;
}

export const ok = (id: string, title: string, detail: string): CheckResult => ({ id, title, verdict: 'ok', detail });
export const skip = (id: string, title: string, detail: string): CheckResult => ({ id, title, verdict: 'skip', detail });
export const warn = (id: string, title: string, detail: string, fix: string): CheckResult => ({ id, title, verdict: 'warn', detail, fix });
export const fail = (id: string, title: string, detail: string, fix: string): CheckResult => ({ id, title, verdict: 'fail', detail, fix });
