// When a CronJob is due, as upstream's controller decides it: from the last schedule time (or the
// creation time), possibly moved up by startingDeadlineSeconds, find the most recent activation not
// after now; count the missed ones roughly (gap between two activations) so that a clock decades off
// cannot make the controller walk millions of them, and flag more than 100 as "too many".

import { nextActivation } from '../../base/cron/cron-next.js';
import type { CronSchedule } from '../../base/cron/cron-parse.js';
import type { CronJob } from '../../api/gen/types.js';

type Missed = 'none' | 'few' | 'many';

/** Upstream's cut-off for "too many missed start times". */
const MANY_MISSED = 100;
/** Requeues land this long after the activation, so that the activation is in the past when synced. */
const NEXT_SCHEDULE_DELTA_MS = 100;

interface MostRecent {
  earliest: number;
  /** The latest activation in (earliest, now], if any. */
  recent?: number;
  missed: Missed;
  /** The schedule has no spacing (two activations less than 1 s apart or none at all). */
  error?: string;
}

export interface Schedule {
  cron: CronSchedule;
  zone: string;
}

const next = (s: Schedule, t: number): number | undefined => nextActivation(s.cron, t, s.zone);

export function mostRecentScheduleTime(cj: CronJob, now: number, s: Schedule, withDeadline: boolean): MostRecent {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now;
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (withDeadline && deadline !== undefined) earliest = Math.max(earliest, now - deadline * 1000);
  const t1 = next(s, earliest);
  if (t1 === undefined || now < t1) return { earliest, missed: 'none' };
  const t2 = next(s, t1);
  if (t2 === undefined || now < t2) return { earliest, recent: t1, missed: 'none' };
  const gap = Math.round((t2 - t1) / 1000);
  if (gap < 1) return { earliest, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  const missedCount = Math.floor(Math.floor((now - t1) / 1000) / gap) + 1;
  // start one gap before the estimate so that irregular schedules (30 6-16/4 * * 1-5) are walked exactly
  let t: number | undefined = t1 + (missedCount - 2) * gap * 1000;
  let recent: number | undefined;
  for (t = next(s, t); t !== undefined && t <= now; t = next(s, t)) recent = t;
  const missed: Missed = missedCount > MANY_MISSED ? 'many' : 'few';
  return recent === undefined ? { earliest, missed } : { earliest, recent, missed };
}

/** How long until the controller should look at the CronJob again, in ms (undefined: never due). */
export function nextScheduleDelay(cj: CronJob, now: number, s: Schedule): number | undefined {
  const r = mostRecentScheduleTime(cj, now, s, false);
  let from: number;
  if (r.error !== undefined) from = now;
  else if (r.recent !== undefined) from = r.recent;
  else from = r.missed === 'none' ? r.earliest : now;
  const t = next(s, from);
  return t === undefined ? undefined : t + NEXT_SCHEDULE_DELTA_MS - now;
}

/** `<name>-<scheduled time in minutes since the epoch>`: the name is the lock against creating a run twice. */
export function jobNameFor(cronJobName: string, scheduled: number): string {
  return `${cronJobName}-${Math.floor(scheduled / 60_000)}`;
}
