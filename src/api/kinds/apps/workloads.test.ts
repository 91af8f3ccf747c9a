import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText, type FieldError } from '../../../base/errors.js';
import { daemonSetKind, defaultDaemonSet, validateDaemonSet } from './daemonset.js';
import { defaultDeployment, deploymentKind, validateDeployment } from './deployment.js';
import { defaultReplicaSet, replicaSetKind, validateReplicaSet } from './replicaset.js';
import type { DaemonSet, Deployment, ReplicaSet } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';

/** One object that can stand in for any of the three kinds in these tests. */
type Workload = UnvalidatedObject<Deployment> & UnvalidatedObject<DaemonSet> & UnvalidatedObject<ReplicaSet>;

const texts = (errs: FieldError[]) => errs.map(fieldErrorText);
const NOW = Date.parse('2024-05-01T12:00:00Z');

function workload(kind: string, spec: Workload['spec']): Workload {
  return { apiVersion: 'apps/v1', kind, metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T09:40:00Z' }, spec };
}
const template = (labels: Record<string, string>) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] },
});

test('deployment defaults', () => {
  const d = workload('Deployment', { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) });
  defaultDeployment(d);
  assert.equal(d.spec?.replicas, 1);
  assert.deepEqual(d.spec?.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec?.revisionHistoryLimit, 10);
  assert.equal(d.spec?.progressDeadlineSeconds, 600);
  assert.equal(d.spec?.template?.spec?.restartPolicy, 'Always');
  assert.equal(d.spec?.template?.spec?.containers?.[0]?.imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(validateDeployment(d, undefined), []);
  const recreate = workload('Deployment', { strategy: { type: 'Recreate' } });
  defaultDeployment(recreate);
  assert.equal(recreate.spec?.strategy?.rollingUpdate, undefined);
});

test('deployment validation messages', () => {
  const noSel = workload('Deployment', { template: template({ app: 'web' }) });
  defaultDeployment(noSel);
  assert.deepEqual(texts(validateDeployment(noSel, undefined)), ['spec.selector: Required value']);
  const mismatch = workload('Deployment', {
    replicas: -1,
    selector: { matchLabels: { app: 'api' } },
    template: template({ app: 'web' }),
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } },
  });
  defaultDeployment(mismatch);
  assert.deepEqual(texts(validateDeployment(mismatch, undefined)), [
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0',
  ]);
  const never = workload('Deployment', {
    selector: { matchLabels: { app: 'web' } },
    template: { ...template({ app: 'web' }), spec: { containers: [{ name: 'a', image: 'x' }], restartPolicy: 'Never' } },
  });
  defaultDeployment(never);
  assert.deepEqual(texts(validateDeployment(never, undefined)), [
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
  ]);
});

test('selector is immutable on update', () => {
  const old = workload('Deployment', { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web', v: '1' }) });
  defaultDeployment(old);
  const next = structuredClone(old);
  next.spec!.selector = { matchLabels: { app: 'web', v: '1' } };
  const errs = validateDeployment(next, old);
  assert.equal(errs.length, 1);
  assert.equal(errs[0]?.field, 'spec.selector');
  assert.equal(errs[0]?.detail, 'field is immutable');
});

test('deployment row', () => {
  const d = workload('Deployment', { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) });
  d.status = { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
  assert.deepEqual(deploymentKind.table.row(d, NOW), ['web', '2/3', 3, 2, '140m', 'nginx', 'nginx:1.27', 'app=web']);
  assert.deepEqual(
    deploymentKind.table.columns.map((c) => c.name),
    ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector'],
  );
  assert.deepEqual([deploymentKind.shortNames, deploymentKind.categories, deploymentKind.generation], [['deploy'], ['all'], true]);
  assert.deepEqual(
    deploymentKind.subresources.map((s) => `${s.name}:${s.group}/${s.version}/${s.kind}:${s.verbs.join(',')}`),
    ['scale:autoscaling/v1/Scale:get,patch,update', 'status:apps/v1/Deployment:get,patch,update'],
  );
});

test('replicaset defaults, validation and row', () => {
  const rs = workload('ReplicaSet', { selector: {}, template: template({ app: 'web' }) });
  defaultReplicaSet(rs);
  assert.equal(rs.spec?.replicas, 1);
  assert.deepEqual(texts(validateReplicaSet(rs, undefined)), [
    'spec.selector: Invalid value: {}: empty selector is invalid for deployment',
  ]);
  rs.spec!.selector = { matchLabels: { app: 'web' } };
  rs.status = { replicas: 1, readyReplicas: 0 };
  assert.deepEqual(replicaSetKind.table.row(rs, NOW).slice(0, 5), ['web', 1, 1, 0, '140m']);
  assert.equal(replicaSetKind.fieldSelectors?.['status.replicas']?.(rs), '1');
});

test('daemonset defaults, validation and row', () => {
  const ds = workload('DaemonSet', { selector: { matchLabels: { app: 'agent' } }, template: template({ app: 'agent' }) });
  defaultDaemonSet(ds);
  assert.deepEqual(ds.spec?.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(ds.spec?.revisionHistoryLimit, 10);
  assert.deepEqual(validateDaemonSet(ds, undefined), []);
  ds.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } };
  assert.deepEqual(texts(validateDaemonSet(ds, undefined)), [
    'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
  ]);
  ds.spec!.template!.spec!.nodeSelector = { 'kubernetes.io/os': 'windows' };
  ds.status = { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 };
  assert.deepEqual(daemonSetKind.table.row(ds, NOW).slice(0, 8), ['web', 2, 2, 1, 2, 1, 'kubernetes.io/os=windows', '140m']);
});
