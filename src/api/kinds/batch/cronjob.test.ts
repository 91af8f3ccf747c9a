import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronJobKind, defaultCronJob, validateCronJob } from './cronjob.js';
import type { CronJob as CronJobT } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';

type CronJob = UnvalidatedObject<CronJobT>;

const NOW = Date.parse('2024-05-01T12:00:00Z');
function cj(spec: Partial<NonNullable<CronJob['spec']>>, name = 'hello'): CronJob {
  const o: CronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z' },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'OnFailure' } } } },
      ...spec,
    },
  };
  defaultCronJob(o);
  return o;
}
const fields = (o: CronJob, old?: CronJob) => validateCronJob(o, old).map((e) => `${e.field}: ${e.detail}`);

test('cronjob defaults', () => {
  const o = cj({});
  const s = o.spec!;
  assert.deepEqual([s.concurrencyPolicy, s.suspend, s.successfulJobsHistoryLimit, s.failedJobsHistoryLimit], ['Allow', false, 3, 1]);
  assert.equal(s.jobTemplate?.spec?.template?.spec?.dnsPolicy, 'ClusterFirst');
  assert.deepEqual(validateCronJob(o, undefined), []);
  for (const sched of ['@hourly', '@every 5m', '0 9 * * MON-FRI', '*/5 1-3 1,15 JAN-jun ?'])
    assert.deepEqual(fields(cj({ schedule: sched })), [], sched);
  assert.deepEqual(fields(cj({ timeZone: 'Europe/Berlin' })), []);
});

test('bad schedules and zones name the field', () => {
  const cases: Array<[Partial<NonNullable<CronJob['spec']>>, string]> = [
    [{ schedule: '' }, 'spec.schedule: '],
    [{ schedule: '* * * *' }, 'spec.schedule: expected exactly 5 fields, found 4: [* * * *]'],
    [{ schedule: '61 * * * *' }, 'spec.schedule: end of range (61) above maximum (59): 61'],
    [{ schedule: '@sometimes' }, 'spec.schedule: unrecognized descriptor: @sometimes'],
    [{ schedule: 'TZ=UTC 0 * * * *' }, 'spec.schedule: cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
    [{ schedule: 'CRON_TZ=Europe/Berlin 0 * * * *' }, 'spec.schedule: cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
    [{ timeZone: 'Mars/Olympus' }, 'spec.timeZone: unknown time zone Mars/Olympus'],
    [{ timeZone: '../etc/passwd' }, 'spec.timeZone: unknown time zone ../etc/passwd'],
    [{ timeZone: '' }, 'spec.timeZone: timeZone must be nil or non-empty string'],
    [{ timeZone: 'Local' }, 'spec.timeZone: timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'],
    [{ concurrencyPolicy: 'Sometimes' }, 'spec.concurrencyPolicy: supported values: "Allow", "Forbid", "Replace"'],
    [{ successfulJobsHistoryLimit: -1 }, 'spec.successfulJobsHistoryLimit: must be greater than or equal to 0'],
    [{ failedJobsHistoryLimit: -2 }, 'spec.failedJobsHistoryLimit: must be greater than or equal to 0'],
    [{ startingDeadlineSeconds: -5 }, 'spec.startingDeadlineSeconds: must be greater than or equal to 0'],
  ];
  for (const [spec, want] of cases) {
    const got = fields(cj(spec));
    assert.ok(
      got.some((g) => g.startsWith(want)),
      `${JSON.stringify(spec)}: ${JSON.stringify(got)}`,
    );
  }
  const long = fields(cj({}, 'x'.repeat(53)));
  assert.deepEqual(long, ['metadata.name: must be no more than 52 characters']);
  assert.deepEqual(fields(cj({}, 'x'.repeat(52))), []);
  // a schedule stored with TZ= by an older server may stay on update, but not beside spec.timeZone
  const old = cj({ schedule: 'TZ=UTC 0 * * * *' });
  assert.deepEqual(fields(cj({ schedule: 'TZ=UTC 5 * * * *' }), old), []);
  assert.deepEqual(fields(cj({ schedule: 'TZ=UTC 5 * * * *', timeZone: 'UTC' }), old), [
    'spec.schedule: cannot use both timeZone field and TZ or CRON_TZ in schedule',
  ]);
});

test('job template rules', () => {
  const bad = cj({
    jobTemplate: {
      spec: {
        selector: { matchLabels: { a: 'b' } },
        manualSelector: true,
        template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Always' } },
      },
    },
  });
  const got = fields(bad);
  assert.ok(got.includes('spec.jobTemplate.spec.selector: `selector` will be auto-generated'), got.join('\n'));
  assert.ok(got.some((g) => g.startsWith('spec.jobTemplate.spec.manualSelector')));
  assert.ok(got.some((g) => g.startsWith('spec.jobTemplate.spec.template.spec.restartPolicy')));
});

test('cronjob table', () => {
  const o = cj({ timeZone: 'UTC' });
  o.status = { active: [{ name: 'hello-1' }], lastScheduleTime: '2024-05-01T11:59:00Z' };
  assert.deepEqual(
    cronJobKind.table.columns.map((c) => c.name),
    ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers', 'Images', 'Selector'],
  );
  assert.deepEqual(cronJobKind.table.row(o, NOW), ['hello', '*/1 * * * *', 'UTC', 'False', 1, '60s', '60m', 'c', 'busybox', '<none>']);
});
