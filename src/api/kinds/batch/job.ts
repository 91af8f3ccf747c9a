// batch/v1 Job.

import type { FieldError } from '../../../base/errors.js';
import type { TableDef } from '../../kind.js';
import type { Job, PodTemplateSpec } from '../../gen/types.js';
import { selectorMatches, selectorString } from '../../label-selector.js';
import type { Unvalidated, UnvalidatedObject } from '../../unvalidated.js';
import {
  immutable,
  invalidValue,
  isEmptySelector,
  jsonEqual,
  nonNegative,
  notSupported,
  required,
  validateLabelSelector,
} from '../../validation/index.js';
import { LABEL_JOB_CONTROLLER_UID, LABEL_JOB_NAME } from '../../well-known.js';
import { defineKind, STANDARD_VERBS, statusSub } from '../common/define.js';
import { age, ageColumn, col, containerCells, containersColumn, imagesColumn, nameColumn, selectorColumn, since } from '../common/table.js';
import { defaultPodTemplate, validatePodTemplate } from '../core/pod/template.js';
import { humanDuration } from '../../../base/duration.js';

type JobIn = UnvalidatedObject<Job>;

const MAX_INT32 = 2147483647;

/**
 * Job defaults. Without `manualSelector: true` the selector and the template's
 * `batch.kubernetes.io/controller-uid` / `job-name` labels (plus their legacy unprefixed twins) are
 * generated here. This relies on the API server having set metadata.name and metadata.uid before
 * it calls defaults() on create; on update the stored selector is already present and kept.
 */
export function defaultJob(job: JobIn): void {
  const spec = (job.spec ??= {});
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? MAX_INT32 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  const uid = job.metadata.uid,
    name = job.metadata.name;
  if (spec.manualSelector !== true && !spec.selector && uid && name) {
    spec.selector = { matchLabels: { [LABEL_JOB_CONTROLLER_UID]: uid } };
    const t = (spec.template ??= {});
    const meta = (t.metadata ??= {});
    meta.labels = { ...meta.labels, [LABEL_JOB_CONTROLLER_UID]: uid, [LABEL_JOB_NAME]: name, 'controller-uid': uid, 'job-name': name };
  }
  defaultPodTemplate(spec.template);
}

/** Fields of a suspended, never-started Job's template that may change. */
function maskMutableScheduling(t: Unvalidated<PodTemplateSpec> | undefined): unknown {
  if (!t) return t;
  const { metadata, spec } = t;
  const { nodeSelector: _n, tolerations: _t, affinity: _a, schedulingGates: _s, ...rest } = spec ?? {};
  const { labels: _l, annotations: _an, ...meta } = metadata ?? {};
  return { metadata: meta, spec: rest };
}

export function validateJob(job: JobIn, old: JobIn | undefined): FieldError[] {
  const spec = job.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...nonNegative('spec.parallelism', spec.parallelism));
  errs.push(...nonNegative('spec.completions', spec.completions));
  errs.push(...nonNegative('spec.activeDeadlineSeconds', spec.activeDeadlineSeconds));
  errs.push(...nonNegative('spec.backoffLimit', spec.backoffLimit));
  errs.push(...nonNegative('spec.ttlSecondsAfterFinished', spec.ttlSecondsAfterFinished));
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed')
    errs.push(notSupported('spec.completionMode', mode, ['NonIndexed', 'Indexed']));
  if (mode === 'Indexed' && spec.completions === undefined) errs.push(required('spec.completions', 'when completion mode is Indexed'));
  const sel = spec.selector;
  if (!sel) errs.push(required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (spec.manualSelector !== true && job.metadata.uid && sel.matchLabels?.[LABEL_JOB_CONTROLLER_UID] !== job.metadata.uid) {
      errs.push(invalidValue('spec.selector', sel, '`selector` not auto-generated'));
    }
  }
  if (!spec.template) errs.push(required('spec.template'));
  else {
    const labels = spec.template.metadata?.labels ?? {};
    if (sel && !isEmptySelector(sel) && !selectorMatches(sel, labels)) {
      errs.push(invalidValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
    }
    errs.push(...validatePodTemplate(spec.template, 'spec.template'));
    const rp = spec.template.spec?.restartPolicy;
    if (spec.template.spec && rp !== 'OnFailure' && rp !== 'Never') {
      errs.push(notSupported('spec.template.spec.restartPolicy', rp ?? '', ['OnFailure', 'Never']));
    }
  }
  if (old) {
    const os = old.spec ?? {};
    errs.push(...immutable('spec.selector', spec.selector, os.selector));
    errs.push(...immutable('spec.completionMode', spec.completionMode, os.completionMode));
    errs.push(...immutable('spec.podFailurePolicy', spec.podFailurePolicy, os.podFailurePolicy));
    const elastic = spec.completionMode === 'Indexed' && spec.completions === spec.parallelism && os.completions === os.parallelism;
    if (!elastic) errs.push(...immutable('spec.completions', spec.completions, os.completions));
    const relaxed = os.suspend === true && !old.status?.startTime;
    const same = relaxed
      ? jsonEqual(maskMutableScheduling(spec.template), maskMutableScheduling(os.template))
      : jsonEqual(spec.template, os.template);
    if (!same) errs.push(invalidValue('spec.template', spec.template, 'field is immutable'));
  }
  return errs;
}

const hasCondition = (job: JobIn, type: string) => (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

function jobStatusText(job: JobIn): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

const jobTable: TableDef<JobIn> = {
  columns: [
    nameColumn,
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'Succeeded pods out of desired completions.'),
    col('Duration', 'string', 'Time the job took or has been running.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
  row(job, now) {
    const spec = job.spec ?? {},
      st = job.status ?? {};
    const succeeded = st.succeeded ?? 0;
    let completions: string;
    if (spec.completions !== undefined) completions = `${succeeded}/${spec.completions}`;
    else if ((spec.parallelism ?? 0) > 1) completions = `${succeeded}/1 of ${spec.parallelism ?? 0}`;
    else completions = `${succeeded}/1`;
    let duration = '';
    if (st.startTime) {
      duration = st.completionTime ? humanDuration(Date.parse(st.completionTime) - Date.parse(st.startTime)) : since(st.startTime, now);
    }
    const [names, images] = containerCells(spec.template?.spec?.containers);
    return [
      job.metadata.name ?? '',
      jobStatusText(job),
      completions,
      duration,
      age(job, now),
      names,
      images,
      selectorString(spec.selector),
    ];
  },
};

export const jobKind = defineKind<Job>({
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  listKind: 'JobList',
  plural: 'jobs',
  singular: 'job',
  shortNames: [],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.batch.v1.Job',
  subresources: [statusSub('batch', 'Job')],
  generation: true,
  hasStatus: true,
  defaults: defaultJob,
  validate: validateJob,
  table: jobTable,
  fieldSelectors: { 'status.successful': (j) => String(j.status?.succeeded ?? 0) },
});
