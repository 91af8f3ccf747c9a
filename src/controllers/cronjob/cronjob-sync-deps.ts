// What one CronJob sync needs from the world: the Jobs it controls (from the cache), a few live
// reads, Job creation and deletion, the status write, events and the time. The controller backs it
// with the API; unit tests with an in-memory fake and a manual clock.

import type { CronJob, Job } from '../../api/gen/types.js';

export interface CronJobSyncDeps {
  now(): number;
  /** Jobs whose controller reference is this CronJob (cache). */
  jobsOf(cj: CronJob): Job[];
  /** Live read; undefined when not found. */
  getJob(namespace: string, name: string): Promise<Job | undefined>;
  /** Live read of the CronJob, to check the cache before warning about an unexpected Job. */
  getCronJob(namespace: string, name: string): Promise<CronJob | undefined>;
  /** Throws a StatusError (409 AlreadyExists, ...) like the API. */
  createJob(namespace: string, job: Job): Promise<Job>;
  /** Deletes with background propagation; throws on failure (404 included). */
  deleteJob(namespace: string, name: string): Promise<void>;
  updateStatus(cj: CronJob): Promise<CronJob>;
  event(cj: CronJob, type: 'Normal' | 'Warning', reason: string, message: string): void;
}
