// The CronJob controller (upstream's cronjob controller v2): one key per CronJob, synced when it or
// one of its Jobs changes, and again when its next activation is due (the sync answers when). The
// reconcile itself is cronjob-sync.ts against the API through CronJobSyncDeps.

import type { CronJob, Job } from '../../api/gen/types.js';
import { cronJobKind } from '../../api/kinds/batch/cronjob.js';
import { jobKind } from '../../api/kinds/batch/job.js';
import { StatusError } from '../../base/errors.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { objectKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { OWNER_INDEXERS, ownerIndex } from '../shared/owner-index.js';
import { controllerKey, controllerRefOf } from '../shared/owner-refs.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import type { CronJobSyncDeps } from './cronjob-sync-deps.js';
import { syncCronJob } from './cronjob-sync.js';

const NAME = 'cronjob';
/** Longest wait between syncs of one CronJob: timers beyond ~24 days overflow, and a stale cache heals sooner. */
const MAX_REQUEUE_MS = 3_600_000;

export function startCronJobController(deps: ControllerDeps): RunningController {
  const { client } = deps;
  const now = deps.now ?? Date.now;
  const cronJobs = deps.informers.for(cronJobKind);
  const jobs = deps.informers.for(jobKind, { indexers: OWNER_INDEXERS });
  const owned = ownerIndex(jobs);
  const queue = createWorkQueue<string>({ name: 'cronjob' });

  const ownerOf = (j: Job) => controllerKey(j.metadata.namespace, controllerRefOf(j), 'CronJob', { group: 'batch' });
  const onJob = (j: Job) => {
    const k = ownerOf(j);
    if (k) queue.add(k);
  };
  cronJobs.addHandlers({
    onAdd: (c) => queue.add(objectKey(c)),
    onUpdate: (_o, c) => queue.add(objectKey(c)),
  });
  jobs.addHandlers({ onAdd: onJob, onUpdate: (_o, j) => onJob(j), onDelete: onJob });

  const jobApi = (ns: string) => client.resource(jobKind).namespace(ns);
  const world: CronJobSyncDeps = {
    now,
    jobsOf: (cj) => owned.controlledBy(cj.metadata.uid ?? ''),
    getJob: (ns, name) => jobApi(ns).getOrUndefined(name),
    getCronJob: (ns, name) => client.resource(cronJobKind).namespace(ns).getOrUndefined(name),
    createJob: (ns, job) => jobApi(ns).create(job),
    async deleteJob(ns, name) {
      await jobApi(ns).delete(name, { propagationPolicy: 'Background' });
    },
    updateStatus: (cj: CronJob) =>
      client
        .resource(cronJobKind)
        .namespace(cj.metadata.namespace ?? '')
        .updateStatus(cj),
    event: (cj, type, reason, message) => deps.recorder?.event(cj, type, reason, message),
  };

  async function sync(key: string): Promise<void> {
    const cj = cronJobs.get(key);
    if (!cj) return;
    try {
      const r = await syncCronJob(world, cj);
      if (r.requeueAfterMs !== undefined) queue.addAfter(key, Math.min(r.requeueAfterMs, MAX_REQUEUE_MS));
    } catch (e) {
      // the CronJob went away under the sync: nothing left to do
      if (e instanceof StatusError && e.code === 404 && !cronJobs.get(key)) return;
      throw e;
    }
  }

  return runController({ name: NAME, log: deps.log.child(NAME), informers: [cronJobs, jobs], queue, workers: deps.workers ?? 2, sync });
}
