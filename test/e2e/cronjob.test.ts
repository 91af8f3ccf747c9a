// CronJobs end to end with the real kubectl: `tandem server` (its cronjob and job controllers) and a
// `tandem sim` fleet that completes Job pods. A `*/1 * * * *` CronJob starts a Job within one real
// minute, the Job completes, and a successful-history limit of 0 deletes it again; `kubectl create
// job --from=cronjob/…` makes a Job the server accepts, owned by the CronJob and marked manual; bad
// schedules and zones are refused with 422s naming the field; `kubectl get cronjob` prints upstream's
// columns.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kubectlAvailable } from './harness.js';
import { at, SKIP_MESSAGE } from './kubectl-support.js';
import { eventually, startCluster, type Cluster } from './cluster-fleet.js';

let c: Cluster | undefined;
const cl = () => {
  if (!c) throw new Error('cluster not started');
  return c;
};
before(async () => {
  if (!kubectlAvailable()) return;
  c = await startCluster({}, [['--nodes', '2', '--os', 'linux', '--name-prefix', 'cron-', '--lease-renew-ms', '1000']]);
});
after(async () => {
  await c?.stop();
});

const run = (fn: () => Promise<void> | void) => async (t: { skip(m: string): void }) => {
  if (!kubectlAvailable()) {
    t.skip(SKIP_MESSAGE);
    return;
  }
  await fn();
};

function cronJob(name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: {
        metadata: { labels: { cron: name } },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', command: ['true'] }] } } },
      },
      ...spec,
    },
  });
}

const events = (name: string): string[] =>
  cl()
    .items(['get', 'events', '--field-selector', `involvedObject.kind=CronJob,involvedObject.name=${name}`])
    .map((e) => `${String(at(e, 'reason'))}: ${String(at(e, 'message'))}`);

test(
  'a */1 CronJob runs a Job within a minute, the Job completes, and the history limit deletes it',
  { timeout: 120_000 },
  run(async () => {
    cl().ok(['apply', '-f', '-'], { input: cronJob('every-minute', { successfulJobsHistoryLimit: 0 }) });
    const table = cl().ok(['get', 'cronjob', 'every-minute']).stdout;
    assert.match(table.split('\n')[0] ?? '', /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/);
    assert.match(table, /every-minute\s+\*\/1 \* \* \* \*\s+<none>\s+False\s+[01]\s+\S+\s+\S+\n/);
    const created = await eventually(
      () => events('every-minute').find((e) => e.startsWith('SuccessfulCreate: Created job every-minute-')),
      70_000,
      1000,
    );
    assert.ok(created, `no Job within 70 s: ${events('every-minute').join('\n')}`);
    const jobName = created.replace('SuccessfulCreate: Created job ', '');
    const minutes = Number(jobName.slice('every-minute-'.length));
    assert.ok(Math.abs(minutes * 60_000 - Date.now()) < 120_000, jobName);
    const deleted = await eventually(
      () => events('every-minute').some((e) => e === `SuccessfulDelete: Deleted job ${jobName}`) && events('every-minute'),
      40_000,
      1000,
    );
    assert.ok(deleted, `the finished Job was not deleted: ${events('every-minute').join('\n')}`);
    assert.ok(deleted.includes(`SawCompletedJob: Saw completed job: ${jobName}, condition: Complete`), deleted.join('\n'));
    const cj = cl().json(['get', 'cronjob', 'every-minute']);
    assert.equal(at(cj, 'status', 'lastScheduleTime'), new Date(minutes * 60_000).toISOString().replace('.000Z', 'Z'));
    assert.ok(at(cj, 'status', 'lastSuccessfulTime'), JSON.stringify(at(cj, 'status')));
    const left = cl()
      .items(['get', 'jobs', '-l', 'cron=every-minute'])
      .map((j) => at(j, 'metadata', 'name'));
    assert.ok(!left.includes(jobName), `still there: ${left.join(',')}`);
  }),
);

test(
  'kubectl create job --from=cronjob makes a manual Job owned by the CronJob',
  { timeout: 60_000 },
  run(async () => {
    cl().ok(['apply', '-f', '-'], { input: cronJob('manual', { suspend: true, timeZone: 'Europe/Berlin', schedule: '0 3 * * *' }) });
    cl().ok(['create', 'job', 'manual-run', '--from=cronjob/manual']);
    const job = cl().json(['get', 'job', 'manual-run']);
    assert.equal(at(job, 'metadata', 'annotations', 'cronjob.kubernetes.io/instantiate'), 'manual');
    const cj = cl().json(['get', 'cronjob', 'manual']);
    const ref = at(job, 'metadata', 'ownerReferences', 0) as Record<string, unknown>;
    assert.equal(ref['kind'], 'CronJob');
    assert.equal(ref['uid'], at(cj, 'metadata', 'uid'));
    assert.equal(at(job, 'metadata', 'labels', 'cron'), 'manual');
    cl().ok(['wait', '--for=condition=complete', 'job/manual-run', '--timeout=40s'], { timeoutMs: 50_000 });
    const wide = cl().ok(['get', 'cronjob', 'manual', '-o', 'wide']).stdout;
    assert.match(wide, /manual\s+0 3 \* \* \*\s+Europe\/Berlin\s+True\s+0\s+<none>\s+\S+\s+main\s+busybox:1.36\s+<none>/);
  }),
);

test(
  'kubectl create cronjob (a protobuf body) makes a CronJob with the defaults',
  run(() => {
    cl().ok(['create', 'cronjob', 'made', '--image=busybox:1.36', '--schedule=*/5 * * * *', '--', 'echo', 'hi']);
    const cj = cl().json(['get', 'cronjob', 'made']);
    assert.equal(at(cj, 'spec', 'schedule'), '*/5 * * * *');
    assert.equal(at(cj, 'spec', 'concurrencyPolicy'), 'Allow');
    assert.equal(at(cj, 'spec', 'successfulJobsHistoryLimit'), 3);
    assert.equal(at(cj, 'spec', 'jobTemplate', 'spec', 'template', 'spec', 'restartPolicy'), 'OnFailure');
    assert.match(cl().ok(['describe', 'cronjob', 'made']).stdout, /Concurrency Policy:\s+Allow/);
  }),
);

test(
  'bad schedules, zones and policies are 422s naming the field',
  run(() => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ schedule: '* * * *' }, /spec\.schedule: Invalid value: "\* \* \* \*": expected exactly 5 fields, found 4/],
      [{ schedule: '0 25 * * *' }, /spec\.schedule: Invalid value: "0 25 \* \* \*": end of range \(25\) above maximum \(23\): 25/],
      [
        { schedule: 'TZ=UTC 0 * * * *' },
        /spec\.schedule: Invalid value: "TZ=UTC 0 \* \* \* \*": cannot use TZ or CRON_TZ in schedule, use timeZone field instead/,
      ],
      [{ timeZone: 'Mars/Olympus' }, /spec\.timeZone: Invalid value: "Mars\/Olympus": unknown time zone Mars\/Olympus/],
      [
        { concurrencyPolicy: 'Never' },
        /spec\.concurrencyPolicy: Unsupported value: "Never": supported values: "Allow", "Forbid", "Replace"/,
      ],
      [{ failedJobsHistoryLimit: -1 }, /spec\.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0/],
    ];
    for (const [spec, re] of cases) {
      const r = cl().srv.kubectl(['apply', '-f', '-'], { input: cronJob('bad', spec) });
      assert.notEqual(r.code, 0, JSON.stringify(spec));
      assert.match(r.stderr, /is invalid/);
      assert.match(r.stderr, re);
    }
  }),
);
