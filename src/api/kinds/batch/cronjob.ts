// batch/v1 CronJob: a Job template run on a cron schedule (src/controllers/cronjob/ runs it). The
// schedule is parsed here with the controller's own parser (src/base/cron/), so what validation
// accepts is exactly what the controller can run; a time zone inside the schedule (TZ=, CRON_TZ=) is
// refused in favour of spec.timeZone, as upstream does for new objects.

import type { FieldError } from '../../../base/errors.js';
import { CronSyntaxError, parseCron } from '../../../base/cron/cron-parse.js';
import { isKnownTimeZone } from '../../../base/cron/zoned-time.js';
import type { TableDef } from '../../kind.js';
import type { CronJob, JobTemplateSpec } from '../../gen/types.js';
import { formatLabelSelector } from '../../label-selector.js';
import type { Unvalidated, UnvalidatedObject } from '../../unvalidated.js';
import { invalidValue, nonNegative, notSupported, required } from '../../validation/index.js';
import { defineKind, STANDARD_VERBS, statusSub } from '../common/define.js';
import { age, ageColumn, col, containerCells, containersColumn, imagesColumn, nameColumn, selectorColumn, since } from '../common/table.js';
import { defaultPodTemplate, validatePodTemplate } from '../core/pod/template.js';

type CronJobIn = UnvalidatedObject<CronJob>;

/** Longest CronJob name: its Jobs append `-<minutes since epoch>` (11 characters) within a DNS-1035 label's 63. */
const MAX_CRONJOB_NAME = 52;
const CONCURRENCY = ['Allow', 'Forbid', 'Replace'] as const;
const ZONE_PART = /^[A-Za-z._+\-0-9]+$/;

export function defaultCronJob(cj: CronJobIn): void {
  const spec = (cj.spec ??= {});
  spec.concurrencyPolicy ??= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  defaultPodTemplate(spec.jobTemplate?.spec?.template);
}

function validateSchedule(schedule: string, tzAllowed: boolean, timeZone: string | undefined): FieldError[] {
  const f = 'spec.schedule';
  const errs: FieldError[] = [];
  try {
    parseCron(schedule);
  } catch (e) {
    if (!(e instanceof CronSyntaxError)) throw e;
    errs.push(invalidValue(f, schedule, e.message));
  }
  if (schedule.includes('TZ')) {
    if (!tzAllowed) errs.push(invalidValue(f, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    else if (timeZone !== undefined) errs.push(invalidValue(f, schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  }
  return errs;
}

function validateTimeZone(tz: string | undefined): FieldError[] {
  const f = 'spec.timeZone';
  if (tz === undefined) return [];
  if (tz === '') return [invalidValue(f, tz, 'timeZone must be nil or non-empty string')];
  if (tz.split('/').some((p) => p === '.' || p === '..' || p.startsWith('-') || !ZONE_PART.test(p))) {
    return [invalidValue(f, tz, `unknown time zone ${tz}`)];
  }
  if (tz.toLowerCase() === 'local') {
    return [invalidValue(f, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  }
  return isKnownTimeZone(tz) ? [] : [invalidValue(f, tz, `unknown time zone ${tz}`)];
}

/** The Job template: a Job spec whose selector the Job's own defaults will generate. */
function validateJobTemplate(t: Unvalidated<JobTemplateSpec> | undefined, path: string): FieldError[] {
  const spec = t?.spec;
  const p = `${path}.spec`;
  if (!spec) return [required(p)];
  const errs: FieldError[] = [];
  errs.push(...nonNegative(`${p}.parallelism`, spec.parallelism));
  errs.push(...nonNegative(`${p}.completions`, spec.completions));
  errs.push(...nonNegative(`${p}.activeDeadlineSeconds`, spec.activeDeadlineSeconds));
  errs.push(...nonNegative(`${p}.backoffLimit`, spec.backoffLimit));
  errs.push(...nonNegative(`${p}.ttlSecondsAfterFinished`, spec.ttlSecondsAfterFinished));
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed')
    errs.push(notSupported(`${p}.completionMode`, mode, ['NonIndexed', 'Indexed']));
  if (spec.selector) errs.push(invalidValue(`${p}.selector`, spec.selector, '`selector` will be auto-generated'));
  if (spec.manualSelector === true) errs.push(notSupported(`${p}.manualSelector`, true, ['nil', 'false']));
  if (!spec.template) errs.push(required(`${p}.template`));
  else {
    errs.push(...validatePodTemplate(spec.template, `${p}.template`));
    const rp = spec.template.spec?.restartPolicy;
    if (spec.template.spec && rp !== 'OnFailure' && rp !== 'Never') {
      errs.push(notSupported(`${p}.template.spec.restartPolicy`, rp ?? '', ['OnFailure', 'Never']));
    }
  }
  return errs;
}

export function validateCronJob(cj: CronJobIn, old: CronJobIn | undefined): FieldError[] {
  const spec = cj.spec ?? {};
  const errs: FieldError[] = [];
  const name = cj.metadata.name ?? '';
  if (!old && name.length > MAX_CRONJOB_NAME)
    errs.push(invalidValue('metadata.name', name, `must be no more than ${MAX_CRONJOB_NAME} characters`));
  const schedule = spec.schedule;
  if (schedule === undefined || schedule === '') errs.push(required('spec.schedule'));
  else {
    // an object stored with TZ= in its schedule (older servers allowed it) may keep it on update
    const tzAllowed = old?.spec?.schedule?.includes('TZ') ?? false;
    errs.push(...validateSchedule(schedule, tzAllowed, spec.timeZone));
  }
  errs.push(...nonNegative('spec.startingDeadlineSeconds', spec.startingDeadlineSeconds));
  const cp = spec.concurrencyPolicy;
  if (cp === undefined || cp === '') errs.push(required('spec.concurrencyPolicy'));
  else if (!(CONCURRENCY as readonly string[]).includes(cp)) errs.push(notSupported('spec.concurrencyPolicy', cp, CONCURRENCY));
  errs.push(...validateJobTemplate(spec.jobTemplate, 'spec.jobTemplate'));
  errs.push(...nonNegative('spec.successfulJobsHistoryLimit', spec.successfulJobsHistoryLimit));
  errs.push(...nonNegative('spec.failedJobsHistoryLimit', spec.failedJobsHistoryLimit));
  errs.push(...validateTimeZone(spec.timeZone));
  return errs;
}

const cronJobTable: TableDef<CronJobIn> = {
  columns: [
    nameColumn,
    col('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col(
      'Timezone',
      'string',
      'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.',
    ),
    col('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions.'),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
  row(cj, now) {
    const spec = cj.spec ?? {},
      st = cj.status ?? {};
    const [names, images] = containerCells(spec.jobTemplate?.spec?.template?.spec?.containers);
    return [
      cj.metadata.name ?? '',
      spec.schedule ?? '',
      spec.timeZone ?? '<none>',
      spec.suspend === undefined ? '<unset>' : spec.suspend ? 'True' : 'False',
      (st.active ?? []).length,
      st.lastScheduleTime ? since(st.lastScheduleTime, now) : '<none>',
      age(cj, now),
      names,
      images,
      formatLabelSelector(spec.jobTemplate?.spec?.selector),
    ];
  },
};

export const cronJobKind = defineKind<CronJob>({
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  listKind: 'CronJobList',
  plural: 'cronjobs',
  singular: 'cronjob',
  shortNames: ['cj'],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.batch.v1.CronJob',
  subresources: [statusSub('batch', 'CronJob')],
  generation: true,
  hasStatus: true,
  defaults: defaultCronJob,
  validate: validateCronJob,
  table: cronJobTable,
});
