// One reconcile of one CronJob, in upstream's order: account for the Jobs it controls (finished ones
// leave status.active, vanished ones too), then, unless suspended or being deleted, start the most
// recent due run (subject to startingDeadlineSeconds and the concurrency policy), then trim the
// finished Jobs beyond the history limits, and write the status if anything changed. Answers when
// the CronJob is next due.

import type { CronJob, Job, ObjectReference } from '../../api/gen/types.js';
import { CronSyntaxError, parseCron } from '../../base/cron/cron-parse.js';
import { isKnownTimeZone, localTimeZone, wallTime, zoneOffset } from '../../base/cron/zoned-time.js';
import { StatusError } from '../../base/errors.js';
import { rfc3339 } from '../../base/time.js';
import { newControllerRef } from '../shared/owner-refs.js';
import type { CronJobSyncDeps } from './cronjob-sync-deps.js';
import { jobNameFor, mostRecentScheduleTime, nextScheduleDelay, type Schedule } from './cronjob-schedule.js';

/** Annotation on each Job: the scheduled time it runs for, in the CronJob's zone. */
const ANNOTATION_SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

type Finished = 'Complete' | 'Failed' | undefined;

function finishedAs(job: Job): Finished {
  for (const c of job.status?.conditions ?? []) {
    if (c.status === 'True' && (c.type === 'Complete' || c.type === 'Failed')) return c.type;
  }
  return undefined;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** RFC 3339 with the zone's offset (`Z` for UTC), as Go formats a time in a location. */
function rfc3339InZone(ms: number, zone: string): string {
  const w = wallTime(ms, zone);
  const off = Math.round(zoneOffset(ms, zone) / 60_000);
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  const tz = off === 0 ? 'Z' : `${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
  return `${String(w.year).padStart(4, '0')}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${tz}`;
}

/** Go's RFC1123Z of a UTC time: `Mon, 02 Jan 2006 15:04:05 +0000`. */
const rfc1123z = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000');

/** The Job for the run scheduled at `scheduled`: the template's spec, labels and annotations. */
function jobForRun(cj: CronJob, scheduled: number): Job {
  const t = cj.spec?.jobTemplate;
  const annotations: Record<string, string> = {
    ...(t?.metadata?.annotations ?? {}),
    [ANNOTATION_SCHEDULED_TIMESTAMP]: rfc3339InZone(scheduled, cj.spec?.timeZone ?? 'UTC'),
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj.metadata.name ?? '', scheduled),
      namespace: cj.metadata.namespace ?? '',
      labels: { ...(t?.metadata?.labels ?? {}) },
      annotations,
      ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
    },
    spec: structuredClone(t?.spec ?? { template: {} }),
  };
}

const refTo = (j: Job): ObjectReference => ({
  kind: 'Job',
  namespace: j.metadata.namespace ?? '',
  name: j.metadata.name ?? '',
  uid: j.metadata.uid ?? '',
  apiVersion: 'batch/v1',
  resourceVersion: j.metadata.resourceVersion ?? '',
});

const notFound = (e: unknown) => e instanceof StatusError && e.code === 404;

interface SyncState {
  cj: CronJob;
  changed: boolean;
}

function dropActive(st: SyncState, uid: string | undefined): void {
  const active = st.cj.status?.active ?? [];
  const rest = active.filter((r) => r.uid !== uid);
  if (rest.length !== active.length) {
    st.cj = { ...st.cj, status: { ...st.cj.status, active: rest } };
    st.changed = true;
  }
}

async function deleteRun(d: CronJobSyncDeps, st: SyncState, job: Job): Promise<boolean> {
  try {
    await d.deleteJob(job.metadata.namespace ?? '', job.metadata.name ?? '');
  } catch (e) {
    d.event(st.cj, 'Warning', 'FailedDelete', `Deleted job: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
  dropActive(st, job.metadata.uid);
  d.event(st.cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name ?? ''}`);
  return true;
}

/** Finished Jobs leave status.active; lastSuccessfulTime follows the newest completion. */
async function reconcileJobs(d: CronJobSyncDeps, st: SyncState, jobs: Job[]): Promise<void> {
  const byUid = new Set(jobs.map((j) => j.metadata.uid));
  for (const j of jobs) {
    const inActive = (st.cj.status?.active ?? []).some((r) => r.uid === j.metadata.uid);
    const fin = finishedAs(j);
    if (!inActive && fin === undefined) {
      const fresh = await d.getCronJob(st.cj.metadata.namespace ?? '', st.cj.metadata.name ?? '');
      if (fresh && (fresh.status?.active ?? []).some((r) => r.uid === j.metadata.uid)) {
        st.cj = fresh;
        continue;
      }
      d.event(st.cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name ?? ''}`);
    } else if (inActive && fin !== undefined) {
      dropActive(st, j.metadata.uid);
      d.event(st.cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name ?? ''}, condition: ${fin}`);
    }
    if (fin === 'Complete' && j.status?.completionTime) {
      const last = st.cj.status?.lastSuccessfulTime;
      if (!last || Date.parse(j.status.completionTime) > Date.parse(last)) {
        st.cj = { ...st.cj, status: { ...st.cj.status, lastSuccessfulTime: j.status.completionTime } };
        st.changed = true;
      }
    }
  }
  // active references whose Job is no longer in the cache: gone for good, or only not seen yet
  for (const r of [...(st.cj.status?.active ?? [])]) {
    if (byUid.has(r.uid)) continue;
    const live = await d.getJob(r.namespace ?? '', r.name ?? '');
    if (!live || live.metadata.uid !== r.uid) {
      d.event(st.cj, 'Normal', 'MissingJob', `Active job went missing: ${r.name ?? ''}`);
      dropActive(st, r.uid);
    }
  }
}

/** Deletes the oldest finished Jobs beyond the history limits (oldest by start time, then name). */
async function trimHistory(d: CronJobSyncDeps, st: SyncState, jobs: Job[]): Promise<void> {
  const spec = st.cj.spec;
  const start = (j: Job) => (j.status?.startTime ? Date.parse(j.status.startTime) : Infinity);
  const order = (a: Job, b: Job) => start(a) - start(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
  for (const [kind, limit] of [
    ['Complete', spec?.successfulJobsHistoryLimit],
    ['Failed', spec?.failedJobsHistoryLimit],
  ] as const) {
    if (limit === undefined) continue;
    const done = jobs.filter((j) => finishedAs(j) === kind && !j.metadata.deletionTimestamp).sort(order);
    for (const j of done.slice(0, Math.max(0, done.length - limit))) await deleteRun(d, st, j);
  }
}

export interface SyncResult {
  /** Sync again after this many ms (the next activation), if set. */
  requeueAfterMs?: number;
}

/** Parses the schedule in the CronJob's zone; undefined (after an event) when it cannot run. */
function scheduleOf(d: CronJobSyncDeps, cj: CronJob): Schedule | undefined {
  const tz = cj.spec?.timeZone;
  if (tz !== undefined && !isKnownTimeZone(tz)) {
    d.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(tz)}: unknown time zone ${tz}`);
    return undefined;
  }
  try {
    return { cron: parseCron(cj.spec?.schedule ?? ''), zone: tz ?? localTimeZone() };
  } catch (e) {
    if (!(e instanceof CronSyntaxError)) throw e;
    d.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec?.schedule ?? '')} : ${e.message}`);
    return undefined;
  }
}

/** Starts the due run if there is one; answers when to look again. */
async function startDueRun(d: CronJobSyncDeps, st: SyncState, s: Schedule): Promise<number | undefined> {
  const now = d.now();
  const cj = st.cj;
  const again = () => nextScheduleDelay(st.cj, now, s);
  const r = mostRecentScheduleTime(cj, now, s, true);
  if (r.recent === undefined || r.recent > now) {
    if (r.error !== undefined) throw new Error(r.error);
    return again();
  }
  if (r.missed === 'many') {
    d.event(
      cj,
      'Warning',
      'TooManyMissedTimes',
      'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
    );
  }
  const scheduled = r.recent;
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (deadline !== undefined && scheduled + deadline * 1000 < now) {
    d.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
    return again();
  }
  const name = jobNameFor(cj.metadata.name ?? '', scheduled);
  const last = cj.status?.lastScheduleTime ? Date.parse(cj.status.lastScheduleTime) : undefined;
  if ((cj.status?.active ?? []).some((a) => a.name === name) || last === scheduled) return again();
  const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && (cj.status?.active ?? []).length > 0) {
    d.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    return again();
  }
  if (policy === 'Replace') {
    for (const a of [...(cj.status?.active ?? [])]) {
      const job = await d.getJob(a.namespace ?? '', a.name ?? '');
      if (!job) {
        dropActive(st, a.uid);
        continue;
      }
      if (!(await deleteRun(d, st, job))) throw new Error(`could not replace job ${a.namespace ?? ''}/${a.name ?? ''}`);
    }
  }
  const want = jobForRun(st.cj, scheduled);
  let created: Job;
  try {
    created = await d.createJob(want.metadata.namespace ?? '', want);
    d.event(st.cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name ?? ''}`);
  } catch (e) {
    if (e instanceof StatusError && e.code === 409) {
      // created by an earlier sync whose status write was lost: adopt it into the status
      const existing = await d.getJob(want.metadata.namespace ?? '', name);
      if (!existing) throw e;
      created = existing;
    } else {
      if (!notFound(e)) d.event(st.cj, 'Warning', 'FailedCreate', `Error creating job: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  }
  st.cj = {
    ...st.cj,
    status: { ...st.cj.status, active: [...(st.cj.status?.active ?? []), refTo(created)], lastScheduleTime: rfc3339(scheduled) },
  };
  st.changed = true;
  return nextScheduleDelay(st.cj, now, s);
}

export async function syncCronJob(d: CronJobSyncDeps, cronJob: CronJob): Promise<SyncResult> {
  const st: SyncState = { cj: cronJob, changed: false };
  const jobs = d.jobsOf(cronJob);
  await reconcileJobs(d, st, jobs);
  let requeueAfterMs: number | undefined;
  let failure: unknown;
  if (!cronJob.metadata.deletionTimestamp && cronJob.spec?.suspend !== true) {
    const s = scheduleOf(d, st.cj);
    if (s) {
      try {
        requeueAfterMs = await startDueRun(d, st, s);
      } catch (e) {
        failure = e;
      }
    }
  }
  if (!cronJob.metadata.deletionTimestamp) await trimHistory(d, st, jobs);
  if (st.changed) await d.updateStatus(st.cj);
  if (failure !== undefined) throw failure;
  return requeueAfterMs === undefined ? {} : { requeueAfterMs };
}
