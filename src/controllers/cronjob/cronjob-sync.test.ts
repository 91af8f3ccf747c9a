// The CronJob reconcile against an in-memory world with a hand-moved clock: runs at their minutes,
// concurrency policies, history limits, missed starts, deadlines, suspension, time zones.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job } from '../../api/gen/types.js';
import { StatusError } from '../../base/errors.js';
import { rfc3339 } from '../../base/time.js';
import { createManualClock } from '../../base/testing/manual-clock.js';
import type { CronJobSyncDeps } from './cronjob-sync-deps.js';
import { syncCronJob } from './cronjob-sync.js';

const T0 = Date.parse('2024-05-01T12:00:00Z');
const MIN = 60_000;

function world(start = T0) {
  const clock = createManualClock(start);
  const jobs = new Map<string, Job>();
  const events: string[] = [];
  let cj: CronJob | undefined;
  let uid = 0;
  const d: CronJobSyncDeps = {
    now: () => clock.now(),
    jobsOf: (c) => [...jobs.values()].filter((j) => j.metadata.ownerReferences?.some((r) => r.uid === c.metadata.uid)),
    getJob: (_ns, name) => Promise.resolve(jobs.get(name)),
    getCronJob: () => Promise.resolve(cj),
    createJob(_ns, job) {
      const name = job.metadata.name ?? '';
      if (jobs.has(name)) return Promise.reject(new StatusError(409, 'AlreadyExists', `jobs.batch "${name}" already exists`));
      const made: Job = { ...job, metadata: { ...job.metadata, uid: `job-${++uid}`, creationTimestamp: rfc3339(clock.now()) } };
      made.status = { startTime: rfc3339(clock.now()), active: 1 };
      jobs.set(name, made);
      return Promise.resolve(made);
    },
    deleteJob(_ns, name) {
      if (!jobs.delete(name)) return Promise.reject(new StatusError(404, 'NotFound', 'gone'));
      return Promise.resolve();
    },
    updateStatus(c) {
      cj = c;
      return Promise.resolve(c);
    },
    event: (_c, type, reason, message) => events.push(`${type} ${reason} ${message}`),
  };
  const finish = (name: string, how: 'Complete' | 'Failed') => {
    const j = jobs.get(name);
    assert.ok(j, name);
    j.status = { ...j.status, active: 0, completionTime: rfc3339(clock.now()), conditions: [{ type: how, status: 'True' }] };
  };
  const make = (spec: Partial<NonNullable<CronJob['spec']>>, created = start): CronJob => {
    cj = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'tick', namespace: 'default', uid: 'cj-1', creationTimestamp: rfc3339(created) },
      spec: {
        schedule: '*/1 * * * *',
        concurrencyPolicy: 'Allow',
        suspend: false,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 1,
        jobTemplate: {
          metadata: { labels: { app: 'tick' } },
          spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
        },
        ...spec,
      },
    };
    return cj;
  };
  const sync = async () => syncCronJob(d, cj as CronJob);
  return { clock, jobs, events, d, finish, make, sync, cj: () => cj as CronJob };
}

test('a run per minute, named by its minute, with the annotation and owner; requeued at the next minute', async () => {
  const w = world(T0 + 10_000);
  w.make({});
  let r = await w.sync();
  assert.equal(w.jobs.size, 0);
  assert.equal(r.requeueAfterMs, 50_000 + 100);
  w.clock.advance(50_000);
  r = await w.sync();
  const name = `tick-${(T0 + MIN) / MIN}`;
  const j = w.jobs.get(name);
  assert.ok(j, [...w.jobs.keys()].join());
  assert.equal(j.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2024-05-01T12:01:00Z');
  assert.deepEqual(j.metadata.labels, { app: 'tick' });
  assert.deepEqual(j.metadata.ownerReferences, [
    { apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-1', controller: true, blockOwnerDeletion: true },
  ]);
  assert.equal(w.cj().status?.lastScheduleTime, '2024-05-01T12:01:00Z');
  assert.deepEqual(
    w.cj().status?.active?.map((a) => a.name),
    [name],
  );
  assert.equal(r.requeueAfterMs, MIN + 100);
  assert.deepEqual(w.events, [`Normal SuccessfulCreate Created job ${name}`]);
  // the same minute again creates nothing
  await w.sync();
  assert.equal(w.jobs.size, 1);
  // completion leaves the active list and sets lastSuccessfulTime
  w.clock.advance(5_000);
  w.finish(name, 'Complete');
  await w.sync();
  assert.deepEqual(w.cj().status?.active, []);
  assert.equal(w.cj().status?.lastSuccessfulTime, '2024-05-01T12:01:05Z');
  assert.ok(w.events.includes(`Normal SawCompletedJob Saw completed job: ${name}, condition: Complete`));
});

test('history limits delete the oldest finished Jobs', async () => {
  const w = world();
  w.make({ successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1 });
  const names: string[] = [];
  for (let i = 1; i <= 5; i++) {
    w.clock.advance(MIN);
    await w.sync();
    const name = `tick-${(T0 + i * MIN) / MIN}`;
    names.push(name);
    w.finish(name, i === 2 || i === 4 ? 'Failed' : 'Complete');
  }
  await w.sync();
  // complete: 1, 3, 5 → keep 3 and 5; failed: 2, 4 → keep 4
  assert.deepEqual([...w.jobs.keys()].sort(), [names[2], names[3], names[4]].sort());
  assert.ok(w.events.includes(`Normal SuccessfulDelete Deleted job ${names[0]}`));
  assert.ok(w.events.includes(`Normal SuccessfulDelete Deleted job ${names[1]}`));
});

test('Forbid skips while a run is active; Replace deletes it; Allow runs both', async () => {
  for (const policy of ['Forbid', 'Replace', 'Allow'] as const) {
    const w = world();
    w.make({ concurrencyPolicy: policy });
    w.clock.advance(MIN);
    await w.sync();
    w.clock.advance(MIN);
    await w.sync();
    const first = `tick-${(T0 + MIN) / MIN}`,
      second = `tick-${(T0 + 2 * MIN) / MIN}`;
    const active = (w.cj().status?.active ?? []).map((a) => a.name);
    if (policy === 'Forbid') {
      assert.deepEqual([...w.jobs.keys()], [first]);
      assert.deepEqual(active, [first]);
      assert.ok(
        w.events.includes('Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid'),
      );
    } else if (policy === 'Replace') {
      assert.deepEqual([...w.jobs.keys()], [second]);
      assert.deepEqual(active, [second]);
      assert.ok(w.events.includes(`Normal SuccessfulDelete Deleted job ${first}`));
    } else {
      assert.deepEqual([...w.jobs.keys()], [first, second]);
      assert.deepEqual(active, [first, second]);
    }
  }
});

test('missed starts: only the most recent runs; over 100 missed warns; a deadline refuses late runs', async () => {
  const w = world();
  w.make({});
  w.clock.advance(30 * MIN + 20_000);
  await w.sync();
  assert.deepEqual([...w.jobs.keys()], [`tick-${(T0 + 30 * MIN) / MIN}`]);
  assert.ok(!w.events.some((e) => e.includes('TooManyMissedTimes')));

  const many = world();
  many.make({});
  many.clock.advance(500 * MIN);
  await many.sync();
  assert.deepEqual([...many.jobs.keys()], [`tick-${(T0 + 500 * MIN) / MIN}`]);
  assert.ok(
    many.events.includes(
      'Warning TooManyMissedTimes too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
    ),
  );

  // startingDeadlineSeconds bounds the look-back, so no warning; and a run later than the deadline is skipped
  const dl = world();
  dl.make({ startingDeadlineSeconds: 200, schedule: '0 * * * *' });
  dl.clock.advance(60 * MIN + 300_000);
  await dl.sync();
  assert.equal(dl.jobs.size, 0);
  assert.ok(!dl.events.some((e) => e.includes('TooManyMissedTimes')), dl.events.join('\n'));
  const inTime = world();
  inTime.make({ startingDeadlineSeconds: 200, schedule: '0 * * * *' });
  inTime.clock.advance(60 * MIN + 100_000);
  await inTime.sync();
  assert.equal(inTime.jobs.size, 1);
});

test('a run later than startingDeadlineSeconds is not started; the next one is', async () => {
  const w = world();
  w.make({ startingDeadlineSeconds: 10 });
  w.clock.advance(MIN + 45_000);
  const r = await w.sync();
  assert.equal(w.jobs.size, 0);
  assert.equal(r.requeueAfterMs, 15_000 + 100);
  w.clock.advance(15_000);
  await w.sync();
  assert.deepEqual([...w.jobs.keys()], [`tick-${(T0 + 2 * MIN) / MIN}`]);
});

test('suspend stops runs; a time zone names the hour; a lost Job is dropped from active', async () => {
  const w = world();
  w.make({ suspend: true });
  w.clock.advance(3 * MIN);
  const r = await w.sync();
  assert.equal(w.jobs.size, 0);
  assert.equal(r.requeueAfterMs, undefined);

  const z = world(Date.parse('2024-05-01T06:58:00Z'));
  z.make({ schedule: '0 9 * * *', timeZone: 'Europe/Berlin' });
  z.clock.advance(2 * MIN);
  await z.sync();
  const [name] = z.jobs.keys();
  assert.equal(name, `tick-${Date.parse('2024-05-01T07:00:00Z') / MIN}`);
  assert.equal(z.jobs.get(name!)?.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2024-05-01T09:00:00+02:00');
  z.jobs.clear();
  await z.sync();
  assert.deepEqual(z.cj().status?.active, []);
  assert.ok(z.events.includes(`Normal MissingJob Active job went missing: ${name!}`));
});

test('an unexpected Job is reported; an already existing run is adopted into the status', async () => {
  const w = world();
  w.make({});
  await w.d.createJob('default', {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: 'manual',
      namespace: 'default',
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-1', controller: true }],
    },
  });
  w.clock.advance(MIN);
  const name = `tick-${(T0 + MIN) / MIN}`;
  await w.d.createJob('default', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default' } });
  await w.sync();
  assert.ok(w.events.includes('Warning UnexpectedJob Saw a job that the controller did not create or forgot: manual'));
  assert.deepEqual(
    w.cj().status?.active?.map((a) => a.name),
    [name],
  );
});

test('a schedule or zone the controller cannot run is reported, nothing started', async () => {
  const w = world();
  w.make({ schedule: 'not a schedule' });
  w.clock.advance(MIN);
  assert.deepEqual(await w.sync(), {});
  assert.equal(w.jobs.size, 0);
  assert.ok(
    w.events.some((e) => e.startsWith('Warning UnparseableSchedule unparseable schedule: "not a schedule" : expected exactly 5 fields')),
    w.events.join('\n'),
  );
  const z = world();
  z.make({ timeZone: 'Mars/Olympus' });
  z.clock.advance(MIN);
  await z.sync();
  assert.equal(z.jobs.size, 0);
  assert.ok(
    z.events.includes('Warning UnknownTimeZone invalid timeZone: "Mars/Olympus": unknown time zone Mars/Olympus'),
    z.events.join('\n'),
  );
});

test('@every runs at its interval from the last run', async () => {
  const w = world();
  w.make({ schedule: '@every 90s' });
  w.clock.advance(90_000);
  const r = await w.sync();
  assert.equal(w.jobs.size, 1);
  assert.equal(w.cj().status?.lastScheduleTime, rfc3339(T0 + 90_000));
  assert.equal(r.requeueAfterMs, 90_000 + 100);
});
