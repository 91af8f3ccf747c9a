// The Job reconcile decision, given the counted results and the live pods: pods to create (or the
// indexes to create them for), active pods to delete, the conditions to add (FailureTarget then
// Failed, SuccessCriteriaMet then Complete, Suspended) and when to look again.

import type { Job, JobCondition, Pod } from '../../api/gen/types.js';
import { rfc3339 } from '../../base/time.js';
import { isPodReady } from '../shared/pod-status.js';
import { completionIndex } from './job-pods.js';

export interface JobView {
  succeeded: number;
  failed: number;
  /** Not finished, not being deleted. */
  active: readonly Pod[];
  terminating: number;
  completedIndexes: ReadonlySet<number>;
}

export interface JobDecision {
  /** NonIndexed: how many pods to create. */
  create: number;
  /** Indexed: the indexes to create pods for. */
  createIndexes: number[];
  delete: Pod[];
  conditions: JobCondition[];
  startTime?: string;
  completionTime?: string;
  /** Events to record: [type, reason, message]. */
  events: Array<['Normal' | 'Warning', string, string]>;
  recheckMs?: number;
}

const MSG_BACKOFF = 'Job has reached the specified backoff limit';
const MSG_DEADLINE = 'Job was active longer than specified deadline';
const MSG_COMPLETIONS = 'Reached expected number of succeeded pods';

const condOf = (job: Job, type: string): JobCondition | undefined => job.status?.conditions?.find((c) => c.type === type);
const isTrue = (job: Job, type: string) => condOf(job, type)?.status === 'True';
export const isFinished = (job: Job) => isTrue(job, 'Complete') || isTrue(job, 'Failed');

const created = (p: Pod) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
/** Deletion order: not ready before ready, newer before older. */
const deletionOrder = (a: Pod, b: Pod) => Number(isPodReady(a)) - Number(isPodReady(b)) || created(b) - created(a);

export function decideJob(job: Job, v: JobView, now: number): JobDecision {
  const spec = job.spec;
  const d: JobDecision = { create: 0, createIndexes: [], delete: [], conditions: [], events: [] };
  if (isFinished(job)) return d;
  const at = rfc3339(now);
  const cond = (type: string, status: string, reason: string, message: string) =>
    d.conditions.push({ type, status, reason, message, lastProbeTime: at, lastTransitionTime: at });
  const stopAll = () => {
    d.delete.push(...v.active);
  };
  const settled = () => v.active.length === 0 && v.terminating === 0;

  // a terminal outcome already decided: wait for the pods to go, then the terminal condition
  const target = condOf(job, 'FailureTarget');
  if (target?.status === 'True') {
    stopAll();
    if (settled()) cond('Failed', 'True', target.reason ?? 'BackoffLimitExceeded', target.message ?? MSG_BACKOFF);
    return d;
  }
  if (isTrue(job, 'SuccessCriteriaMet')) {
    stopAll();
    if (settled()) {
      cond('Complete', 'True', 'CompletionsReached', MSG_COMPLETIONS);
      d.completionTime = at;
      d.events.push(['Normal', 'Completed', 'Job completed']);
    }
    return d;
  }

  if (spec?.suspend === true) {
    stopAll();
    if (!isTrue(job, 'Suspended')) {
      cond('Suspended', 'True', 'JobSuspended', 'Job suspended');
      d.events.push(['Normal', 'Suspended', 'Job suspended']);
    }
    return d;
  }
  let start = job.status?.startTime;
  if (condOf(job, 'Suspended')?.status === 'True') {
    cond('Suspended', 'False', 'JobResumed', 'Job resumed');
    d.events.push(['Normal', 'Resumed', 'Job resumed']);
    start = undefined;
  }
  if (!start) {
    start = at;
    d.startTime = at;
  }

  const fail = (reason: string, message: string) => {
    cond('FailureTarget', 'True', reason, message);
    d.events.push(['Warning', reason, message]);
    stopAll();
    if (settled()) cond('Failed', 'True', reason, message);
  };
  if (v.failed > (spec?.backoffLimit ?? 6)) {
    fail('BackoffLimitExceeded', MSG_BACKOFF);
    return d;
  }
  const deadline = spec?.activeDeadlineSeconds;
  if (deadline !== undefined) {
    const left = Date.parse(start) + deadline * 1000 - now;
    if (left <= 0) {
      fail('DeadlineExceeded', MSG_DEADLINE);
      return d;
    }
    d.recheckMs = left;
  }

  const parallelism = spec?.parallelism ?? 1;
  const completions = spec?.completions;
  const indexed = spec?.completionMode === 'Indexed' && completions !== undefined;
  const succeeded = indexed ? v.completedIndexes.size : v.succeeded;
  const done = completions !== undefined ? succeeded >= completions : v.succeeded > 0 && v.active.length === 0;
  if (done) {
    cond('SuccessCriteriaMet', 'True', 'CompletionsReached', MSG_COMPLETIONS);
    stopAll();
    if (settled()) {
      cond('Complete', 'True', 'CompletionsReached', MSG_COMPLETIONS);
      d.completionTime = at;
      d.events.push(['Normal', 'Completed', 'Job completed']);
    }
    return d;
  }

  if (indexed) {
    const seen = new Set<number>();
    for (const p of v.active) {
      const i = completionIndex(p);
      if (i === undefined || i >= completions || seen.has(i) || v.completedIndexes.has(i)) d.delete.push(p);
      else seen.add(i);
    }
    let room = parallelism - seen.size;
    for (let i = 0; i < completions && room > 0; i++) {
      if (seen.has(i) || v.completedIndexes.has(i)) continue;
      d.createIndexes.push(i);
      room--;
    }
    return d;
  }
  const want = completions !== undefined ? Math.min(parallelism, completions - succeeded) : v.succeeded > 0 ? v.active.length : parallelism;
  if (v.active.length < want) d.create = want - v.active.length;
  else if (v.active.length > want)
    d.delete.push(
      ...v.active
        .slice()
        .sort(deletionOrder)
        .slice(0, v.active.length - want),
    );
  return d;
}
