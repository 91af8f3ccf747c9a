// The Job controller. Pods carry the `batch.kubernetes.io/job-tracking` finalizer from creation so
// that none is lost before it is counted. Counting is two-phase, as upstream: a finished pod's uid
// goes into status.uncountedTerminatedPods, then its finalizer is removed, then it moves into
// status.succeeded / failed. Then the decision (job-decide.ts) creates or deletes pods and adds
// conditions. Pods of a Job that no longer exists lose the finalizer so that they can go.

import type { Job, JobStatus, Pod } from '../../api/gen/types.js';
import { jobKind } from '../../api/kinds/batch/job.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { FINALIZER_JOB_TRACKING } from '../../api/well-known.js';
import { StatusError } from '../../base/errors.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { objectKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { createExpectations } from '../shared/expectations.js';
import { OWNER_INDEXERS, ownerIndex } from '../shared/owner-index.js';
import { controllerKey, controllerRefOf } from '../shared/owner-refs.js';
import { isPodReady } from '../shared/pod-status.js';
import { applyPodPlan } from '../shared/pod-control.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { decideJob, isFinished } from './job-decide.js';
import { completionIndex, finishedAs, formatIndexes, hasTrackingFinalizer, jobPod, parseIndexes } from './job-pods.js';

const NAME = 'job';
const POD_KEY = 'pod:';
const gone = (e: unknown) => e instanceof StatusError && e.code === 404;

export function startJobController(deps: ControllerDeps): RunningController {
  const { client } = deps;
  const now = deps.now ?? Date.now;
  const jobs = deps.informers.for(jobKind);
  const pods = deps.informers.for(podKind, { indexers: OWNER_INDEXERS });
  const owned = ownerIndex(pods);
  const expectations = createExpectations(now);
  const queue = createWorkQueue<string>({ name: 'job' });

  const ownerKey = (p: Pod) => controllerKey(p.metadata.namespace, controllerRefOf(p), 'Job', { group: 'batch' });
  const onPod = (p: Pod) => {
    const k = ownerKey(p);
    if (!k) return;
    const job = jobs.get(k);
    if (job && job.metadata.uid === controllerRefOf(p)?.uid) queue.add(k);
    else if (hasTrackingFinalizer(p)) queue.add(POD_KEY + objectKey(p));
  };
  jobs.addHandlers({
    onAdd: (j) => queue.add(objectKey(j)),
    onUpdate: (_o, j) => queue.add(objectKey(j)),
    onDelete: (j) => {
      expectations.delete(objectKey(j));
      for (const p of owned.controlledBy(j.metadata.uid ?? '')) if (hasTrackingFinalizer(p)) queue.add(POD_KEY + objectKey(p));
    },
  });
  pods.addHandlers({
    onAdd: (p) => {
      const k = ownerKey(p);
      if (k) expectations.creationObserved(k);
      onPod(p);
    },
    onUpdate: (old, p) => {
      const k = ownerKey(p);
      if (k && p.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) expectations.deletionObserved(k, objectKey(p));
      onPod(p);
    },
    onDelete: (p) => {
      const k = ownerKey(p);
      if (k) {
        expectations.deletionObserved(k, objectKey(p));
        queue.add(k);
      }
    },
  });

  async function removeFinalizer(p: Pod): Promise<boolean> {
    const rest = (p.metadata.finalizers ?? []).filter((f) => f !== FINALIZER_JOB_TRACKING);
    try {
      await client
        .resource(podKind)
        .namespace(p.metadata.namespace ?? '')
        .patch(
          p.metadata.name ?? '',
          { metadata: { finalizers: rest.length ? rest : null, resourceVersion: p.metadata.resourceVersion } },
          'merge',
        );
      return true;
    } catch (e) {
      if (gone(e)) return true;
      throw e;
    }
  }

  /** A pod whose Job is gone: drop the finalizer so that it can be deleted. */
  async function syncOrphan(podKey: string): Promise<void> {
    const p = pods.get(podKey);
    if (!p || !hasTrackingFinalizer(p)) return;
    const k = ownerKey(p);
    const job = k ? jobs.get(k) : undefined;
    if (job && job.metadata.uid === controllerRefOf(p)?.uid && !job.metadata.deletionTimestamp) return;
    await removeFinalizer(p);
  }

  async function putStatus(job: Job, status: JobStatus): Promise<Job> {
    return client
      .resource(jobKind)
      .namespace(job.metadata.namespace ?? '')
      .updateStatus({ ...job, status });
  }

  async function sync(key: string): Promise<void> {
    if (key.startsWith(POD_KEY)) {
      await syncOrphan(key.slice(POD_KEY.length));
      return;
    }
    let job = jobs.get(key);
    if (!job) return;
    const mine = owned.controlledBy(job.metadata.uid ?? '');
    let status: JobStatus = { ...(job.status ?? {}) };
    const unc = {
      succeeded: new Set(status.uncountedTerminatedPods?.succeeded ?? []),
      failed: new Set(status.uncountedTerminatedPods?.failed ?? []),
    };
    const completed = parseIndexes(status.completedIndexes);
    const indexed = job.spec?.completionMode === 'Indexed';

    // phase 1: finished pods still holding the finalizer are recorded as uncounted
    const finished = mine.filter((p) => hasTrackingFinalizer(p) && finishedAs(p) !== undefined);
    let fresh = 0;
    for (const p of finished) {
      const uid = p.metadata.uid ?? '';
      if (unc.succeeded.has(uid) || unc.failed.has(uid)) continue;
      fresh++;
      if (finishedAs(p) === 'Succeeded') {
        unc.succeeded.add(uid);
        const i = completionIndex(p);
        if (indexed && i !== undefined) completed.add(i);
      } else unc.failed.add(uid);
    }
    const withUncounted = (): JobStatus => {
      const s: JobStatus = { ...status, uncountedTerminatedPods: { succeeded: [...unc.succeeded], failed: [...unc.failed] } };
      if (indexed) s.completedIndexes = formatIndexes(completed);
      return s;
    };
    if (fresh > 0) {
      job = await putStatus(job, withUncounted());
      status = { ...(job.status ?? {}) };
    }

    // phase 2: finalizers off; phase 3: move what is released into the counters
    const released = new Set<string>();
    for (const p of finished) if (await removeFinalizer(p)) released.add(p.metadata.uid ?? '');
    const cached = new Map(mine.map((p) => [p.metadata.uid ?? '', p]));
    const isReleased = (uid: string) => released.has(uid) || !cached.has(uid) || !hasTrackingFinalizer(cached.get(uid) as Pod);
    let succeeded = status.succeeded ?? 0,
      failed = status.failed ?? 0;
    for (const uid of [...unc.succeeded])
      if (isReleased(uid)) {
        unc.succeeded.delete(uid);
        succeeded++;
      }
    for (const uid of [...unc.failed])
      if (isReleased(uid)) {
        unc.failed.delete(uid);
        failed++;
      }

    const active = mine.filter((p) => finishedAs(p) === undefined && !p.metadata.deletionTimestamp);
    const terminating = mine.filter(
      (p) => p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
    ).length;
    const k = key;
    const canAct = expectations.satisfied(k);
    const d = decideJob(
      job,
      { succeeded: succeeded + unc.succeeded.size, failed: failed + unc.failed.size, active, terminating, completedIndexes: completed },
      now(),
    );

    let firstError: unknown;
    if (canAct && !isFinished(job)) {
      const toCreate: Array<number | undefined> = indexed ? d.createIndexes : Array.from({ length: d.create }, () => undefined);
      firstError = await applyPodPlan({
        client,
        recorder: deps.recorder,
        expectations,
        key: k,
        owner: job,
        namespace: job.metadata.namespace ?? '',
        create: toCreate,
        podFor: (index) => jobPod(job as Job, index),
        delete: d.delete,
      });
    }

    const next: JobStatus = {
      ...withUncounted(),
      succeeded,
      failed,
      active: active.length,
      ready: active.filter(isPodReady).length,
      terminating,
    };
    if (d.startTime) next.startTime = d.startTime;
    if (d.completionTime) next.completionTime = d.completionTime;
    if (d.conditions.length > 0 && canAct) {
      const conds = [...(status.conditions ?? [])];
      for (const c of d.conditions) {
        const i = conds.findIndex((o) => o.type === c.type);
        if (i >= 0) {
          if (conds[i]?.status !== c.status) conds[i] = c;
        } else conds.push(c);
      }
      next.conditions = conds;
    }
    if (changed(status, next)) {
      await putStatus(job, next);
    }
    if (canAct) for (const [type, reason, message] of d.events) deps.recorder?.event(job, type, reason, message);
    if (firstError) throw firstError;
    if (d.recheckMs !== undefined) queue.addAfter(key, d.recheckMs + 10);
  }

  return runController({ name: NAME, log: deps.log.child(NAME), informers: [jobs, pods], queue, workers: deps.workers ?? 2, sync });
}

function changed(a: JobStatus, b: JobStatus): boolean {
  const keys: Array<keyof JobStatus> = [
    'succeeded',
    'failed',
    'active',
    'ready',
    'terminating',
    'startTime',
    'completionTime',
    'completedIndexes',
  ];
  if (keys.some((k) => (a[k] ?? undefined) !== (b[k] ?? undefined))) return true;
  if (JSON.stringify(a.conditions ?? []) !== JSON.stringify(b.conditions ?? [])) return true;
  const u = (s: JobStatus) => JSON.stringify([s.uncountedTerminatedPods?.succeeded ?? [], s.uncountedTerminatedPods?.failed ?? []]);
  return u(a) !== u(b);
}
