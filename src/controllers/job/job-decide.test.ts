import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job, JobSpec, Pod } from '../../api/gen/types.js';
import { ANNOTATION_JOB_COMPLETION_INDEX, FINALIZER_JOB_TRACKING } from '../../api/well-known.js';
import { decideJob, type JobView } from './job-decide.js';
import { finishedAs, formatIndexes, jobPod, parseIndexes } from './job-pods.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const job = (spec: Partial<JobSpec>, status: Job['status'] = {}): Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'j', namespace: 'ns', uid: 'u' },
  spec: { template: {}, ...spec },
  status,
});
const pod = (name: string, extra: Partial<Pod> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  status: { phase: 'Running' },
  ...extra,
});
const view = (v: Partial<JobView>): JobView => ({ succeeded: 0, failed: 0, active: [], terminating: 0, completedIndexes: new Set(), ...v });
const types = (d: { conditions: Array<{ type: string }> }) => d.conditions.map((c) => c.type);

test('creates up to parallelism, never more than the remaining completions', () => {
  const d = decideJob(job({ completions: 5, parallelism: 2 }), view({}), T0);
  assert.equal(d.create, 2);
  assert.equal(d.startTime, '2024-01-01T00:00:00Z');
  assert.equal(decideJob(job({ completions: 5, parallelism: 2 }), view({ succeeded: 4 }), T0).create, 1);
  const extra = decideJob(job({ completions: 5, parallelism: 1 }, { startTime: 'x' }), view({ active: [pod('a'), pod('b')] }), T0);
  assert.equal(extra.delete.length, 1);
});

test('success: SuccessCriteriaMet then Complete once no pod is left running', () => {
  const j = job({ completions: 2, parallelism: 2 }, { startTime: '2024-01-01T00:00:00Z' });
  const d = decideJob(j, view({ succeeded: 2 }), T0);
  assert.deepEqual(types(d), ['SuccessCriteriaMet', 'Complete']);
  assert.equal(d.completionTime, '2024-01-01T00:00:00Z');
  const waiting = decideJob(j, view({ succeeded: 2, terminating: 1 }), T0);
  assert.deepEqual(types(waiting), ['SuccessCriteriaMet']);
});

test('backoff limit: FailureTarget, active pods deleted, Failed when they are gone', () => {
  const j = job({ completions: 3, backoffLimit: 1 }, { startTime: '2024-01-01T00:00:00Z' });
  const d = decideJob(j, view({ failed: 2, active: [pod('a')] }), T0);
  assert.deepEqual(types(d), ['FailureTarget']);
  assert.equal(d.conditions[0]?.reason, 'BackoffLimitExceeded');
  assert.equal(d.delete.length, 1);
  const later = decideJob(
    job(j.spec ?? {}, { ...j.status, conditions: [{ type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded' }] }),
    view({ failed: 3 }),
    T0,
  );
  assert.deepEqual(types(later), ['Failed']);
  assert.equal(decideJob(j, view({ failed: 1 }), T0).create, 1, 'within the limit: keep going');
});

test('activeDeadlineSeconds fails the job with DeadlineExceeded, else rechecks at the deadline', () => {
  const j = job({ completions: 3, activeDeadlineSeconds: 10 }, { startTime: '2024-01-01T00:00:00Z' });
  assert.equal(decideJob(j, view({}), T0 + 4000).recheckMs, 6000);
  const d = decideJob(j, view({ active: [pod('a')] }), T0 + 10_000);
  assert.equal(d.conditions[0]?.reason, 'DeadlineExceeded');
  assert.equal(d.delete.length, 1);
});

test('suspend deletes active pods and adds Suspended', () => {
  const d = decideJob(job({ completions: 3, suspend: true }), view({ active: [pod('a')] }), T0);
  assert.deepEqual(types(d), ['Suspended']);
  assert.equal(d.delete.length, 1);
  assert.equal(d.create, 0);
});

test('Indexed: creates the lowest missing indexes, drops duplicates', () => {
  const withIndex = (n: string, i: number) =>
    pod(n, { metadata: { name: n, annotations: { [ANNOTATION_JOB_COMPLETION_INDEX]: String(i) } } });
  const j = job({ completions: 4, parallelism: 3, completionMode: 'Indexed' }, { startTime: 'x' });
  const d = decideJob(j, view({ active: [withIndex('a', 1), withIndex('b', 1)], completedIndexes: new Set([0]) }), T0);
  assert.deepEqual(d.createIndexes, [2, 3]);
  assert.deepEqual(
    d.delete.map((p) => p.metadata.name),
    ['b'],
  );
  assert.equal(formatIndexes(new Set([0, 1, 2, 5, 7, 8])), '0-2,5,7-8');
  assert.deepEqual([...parseIndexes('0-2,5')], [0, 1, 2, 5]);
  assert.equal(jobPod(j, 2).metadata.annotations?.[ANNOTATION_JOB_COMPLETION_INDEX], '2');
});

test('pods: tracking finalizer on creation; deleted unfinished pods count as failed', () => {
  const p = jobPod(job({ template: { metadata: { labels: { 'job-name': 'j' } } } }), undefined);
  assert.deepEqual(p.metadata.finalizers, [FINALIZER_JOB_TRACKING]);
  assert.equal(p.metadata.ownerReferences?.[0]?.kind, 'Job');
  assert.equal(finishedAs({ ...p, status: { phase: 'Running' }, metadata: { ...p.metadata, deletionTimestamp: 'x' } }), 'Failed');
  assert.equal(finishedAs({ ...p, status: { phase: 'Succeeded' } }), 'Succeeded');
  assert.equal(finishedAs({ ...p, status: { phase: 'Running' } }), undefined);
});
