import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../../base/errors.js';
import { defaultJob, jobKind, validateJob } from './job.js';
import type { Job as JobT } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';

type Job = UnvalidatedObject<JobT>;

const NOW = Date.parse('2024-05-01T12:00:00Z');
function job(spec: Job['spec']): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: 'u-1', creationTimestamp: '2024-05-01T11:00:00Z' },
    spec,
  };
}
const tmpl = (restartPolicy?: string) => ({
  spec: { containers: [{ name: 'pi', image: 'perl:5' }], ...(restartPolicy ? { restartPolicy } : {}) },
});

test('job defaults generate selector and labels from the uid', () => {
  const j = job({ template: tmpl('Never') });
  defaultJob(j);
  const s = j.spec!;
  assert.deepEqual(
    [s.completions, s.parallelism, s.backoffLimit, s.completionMode, s.suspend, s.podReplacementPolicy],
    [1, 1, 6, 'NonIndexed', false, 'TerminatingOrFailed'],
  );
  assert.deepEqual(s.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  assert.deepEqual(s.template?.metadata?.labels, {
    'batch.kubernetes.io/controller-uid': 'u-1',
    'batch.kubernetes.io/job-name': 'pi',
    'controller-uid': 'u-1',
    'job-name': 'pi',
  });
  assert.deepEqual(validateJob(j, undefined), []);
  const p = job({ parallelism: 3, template: tmpl('Never') });
  defaultJob(p);
  assert.equal(p.spec?.completions, undefined);
});

test('job restartPolicy must be OnFailure or Never', () => {
  const j = job({ template: tmpl() });
  defaultJob(j);
  assert.deepEqual(validateJob(j, undefined).map(fieldErrorText), [
    'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
  ]);
});

test('job selector and template are immutable', () => {
  const old = job({ template: tmpl('Never') });
  defaultJob(old);
  const next = structuredClone(old);
  next.spec!.template!.spec!.containers![0]!.image = 'perl:6';
  const errs = validateJob(next, old);
  assert.deepEqual(
    errs.map((e) => `${e.field}: ${e.detail}`),
    ['spec.template: field is immutable'],
  );
  const suspended = structuredClone(old);
  suspended.spec!.suspend = true;
  const moved = structuredClone(suspended);
  moved.spec!.template!.spec!.nodeSelector = { zone: 'a' };
  assert.deepEqual(validateJob(moved, suspended), []);
});

test('job rows', () => {
  const j = job({ completions: 3, template: tmpl('Never') });
  defaultJob(j);
  j.status = { succeeded: 1, startTime: '2024-05-01T11:58:00Z' };
  assert.deepEqual(jobKind.table.row(j, NOW).slice(0, 5), ['pi', 'Running', '1/3', '2m', '60m']);
  j.status = {
    succeeded: 3,
    startTime: '2024-05-01T11:00:00Z',
    completionTime: '2024-05-01T11:00:42Z',
    conditions: [{ type: 'Complete', status: 'True' }],
  };
  assert.deepEqual(jobKind.table.row(j, NOW).slice(1, 4), ['Complete', '3/3', '42s']);
  const par = job({ parallelism: 2, template: tmpl('Never') });
  defaultJob(par);
  par.status = { conditions: [{ type: 'Failed', status: 'True' }] };
  assert.deepEqual(jobKind.table.row(par, NOW).slice(1, 4), ['Failed', '0/1 of 2', '']);
  assert.equal(jobKind.table.row(par, NOW)[7], 'batch.kubernetes.io/controller-uid=u-1');
  assert.equal(jobKind.fieldSelectors?.['status.successful']?.(j), '3');
});
