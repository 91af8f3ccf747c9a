import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../../base/errors.js';
import type { LimitRange, LimitRangeItem, PodTemplate, ReplicationController, ResourceQuota } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { defaultLimitRange, limitRangeKind, validateLimitRange } from './limit-range.js';
import { podTemplateKind, validatePodTemplateObject } from './pod-template.js';
import {
  defaultReplicationController,
  replicationControllerKind,
  validateReplicationController,
  validateReplicationControllerStatus,
} from './replication-controller.js';
import { resourceQuotaKind, validateResourceQuota } from './resource-quota.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const meta = (name: string) => ({ name, namespace: 'ns', creationTimestamp: '2024-05-01T11:55:00Z' });
const fields = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${e.detail}`);
const has = (errs: FieldError[], field: string, detail: string | RegExp) =>
  assert.ok(
    errs.some((e) => e.field === field && (typeof detail === 'string' ? e.detail === detail : detail.test(e.detail ?? ''))),
    `expected ${field}: ${String(detail)} in ${JSON.stringify(fields(errs))}`,
  );

const container = { name: 'c', image: 'nginx' };

test('PodTemplate: the template is validated as a pod template; row as upstream prints it', () => {
  const pt: UnvalidatedObject<PodTemplate> = {
    apiVersion: 'v1',
    kind: 'PodTemplate',
    metadata: meta('t'),
    template: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [container, { name: 'd', image: 'busybox' }] } },
  };
  podTemplateKind.defaults?.(pt);
  assert.deepEqual(validatePodTemplateObject(pt), []);
  assert.deepEqual(podTemplateKind.table.row(pt, NOW), ['t', 'c,d', 'nginx,busybox', 'app=web,tier=fe']);
  assert.deepEqual(
    podTemplateKind.table.columns.map((c) => c.name),
    ['Name', 'Containers', 'Images', 'Pod Labels'],
  );
  pt.template = { metadata: { labels: { 'bad key!': 'x' } }, spec: { containers: [] } };
  const errs = validatePodTemplateObject(pt);
  has(errs, 'template.metadata.labels', /name part must consist of/);
  has(errs, 'template.spec.containers', '');
  assert.equal(errs.find((e) => e.field === 'template.spec.containers')?.type, 'FieldValueRequired');
});

const rc = (over: Partial<NonNullable<ReplicationController['spec']>> = {}): UnvalidatedObject<ReplicationController> => ({
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: meta('web'),
  spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } }, ...over },
});

test('ReplicationController: selector, labels and replicas default from the template', () => {
  const r = rc();
  defaultReplicationController(r);
  assert.deepEqual(r.spec?.selector, { app: 'web' });
  assert.deepEqual(r.metadata.labels, { app: 'web' });
  assert.equal(r.spec?.replicas, 1);
  assert.equal(r.spec?.template?.spec?.restartPolicy, 'Always');
  assert.deepEqual(validateReplicationController(r, undefined), []);
  r.status = { replicas: 2, readyReplicas: 1, availableReplicas: 1 };
  assert.deepEqual(replicationControllerKind.table.row(r, NOW), ['web', 1, 2, 1, '5m', 'c', 'nginx', 'app=web']);
  assert.deepEqual(
    replicationControllerKind.subresources.map((s) => `${s.name}:${s.group}/${s.kind}`),
    ['scale:autoscaling/Scale', 'status:/ReplicationController'],
  );
});

test('ReplicationController: bad input names the field', () => {
  const mismatch = rc({ selector: { app: 'db' }, replicas: -1, minReadySeconds: -2 });
  defaultReplicationController(mismatch);
  const errs = validateReplicationController(mismatch, undefined);
  has(errs, 'spec.template.metadata.labels', '`selector` does not match template `labels`');
  has(errs, 'spec.replicas', 'must be greater than or equal to 0');
  has(errs, 'spec.minReadySeconds', 'must be greater than or equal to 0');
  const noSel: UnvalidatedObject<ReplicationController> = {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: meta('x'),
    spec: {},
  };
  defaultReplicationController(noSel);
  const e2 = validateReplicationController(noSel, undefined);
  has(e2, 'spec.selector', '');
  has(e2, 'spec.template', '');
  const never = rc();
  never.spec!.template!.spec!.restartPolicy = 'Never';
  never.spec!.template!.spec!.activeDeadlineSeconds = 5;
  defaultReplicationController(never);
  const e3 = validateReplicationController(never, undefined);
  has(e3, 'spec.template.spec.restartPolicy', /supported values: "Always"|Always/);
  has(e3, 'spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicationController is not Supported');
  const st = rc();
  st.status = { replicas: 1, readyReplicas: 2, availableReplicas: 3 };
  const e4 = validateReplicationControllerStatus(st, st);
  has(e4, 'status.readyReplicas', 'cannot be greater than status.replicas');
  has(e4, 'status.availableReplicas', 'cannot be greater than readyReplicas');
});

const quota = (spec: NonNullable<ResourceQuota['spec']>, status?: ResourceQuota['status']): UnvalidatedObject<ResourceQuota> => ({
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: meta('q'),
  spec,
  ...(status ? { status } : {}),
});

test('ResourceQuota: valid hard lists, scopes and scope selectors pass', () => {
  const ok = quota({
    hard: {
      pods: '10',
      'requests.cpu': '2',
      'limits.memory': '4Gi',
      'count/deployments.apps': '3',
      configmaps: '5',
      'gold.storageclass.storage.k8s.io/requests.storage': '10Gi',
    },
  });
  assert.deepEqual(validateResourceQuota(ok), []);
  assert.deepEqual(validateResourceQuota(quota({ hard: { pods: '3', cpu: '1' }, scopes: ['NotBestEffort', 'Terminating'] })), []);
  const sel = quota({
    hard: { pods: '3' },
    scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] },
  });
  assert.deepEqual(validateResourceQuota(sel), []);
});

test('ResourceQuota: each bad input names the field and the rule', () => {
  const e1 = validateResourceQuota(quota({ hard: { widgets: '1', pods: '1.5', cpu: '-1', memory: 'lots' } }));
  has(e1, 'spec.hard[widgets]', 'must be a standard resource type or fully qualified');
  has(e1, 'spec.hard[pods]', 'must be an integer');
  has(e1, 'spec.hard[cpu]', 'must be greater than or equal to 0');
  has(e1, 'spec.hard[memory]', /quantities must match/);
  has(validateResourceQuota(quota({ hard: { storage: '1Gi' } })), 'spec.hard[storage]', 'must be a standard resource for quota');
  const e2 = validateResourceQuota(quota({ hard: { services: '1' }, scopes: ['BestEffort', 'NotBestEffort', 'Sometimes'] }));
  has(e2, 'spec.scopes', 'unsupported scope');
  has(e2, 'spec.scopes', 'unsupported scope applied to resource');
  has(e2, 'spec.scopes', 'conflicting scopes');
  has(validateResourceQuota(quota({ hard: { cpu: '1' }, scopes: ['BestEffort'] })), 'spec.scopes', 'unsupported scope applied to resource');
  const e3 = validateResourceQuota(
    quota({
      hard: { pods: '1' },
      scopeSelector: {
        matchExpressions: [
          { scopeName: 'BestEffort', operator: 'In', values: ['x'] },
          { scopeName: 'PriorityClass', operator: 'NotIn' },
          { scopeName: 'PriorityClass', operator: 'Exists', values: ['a'] },
          { scopeName: 'PriorityClass', operator: 'Near' },
        ],
      },
    }),
  );
  has(e3, 'spec.scopeSelector.matchExpressions.operator', /must be 'Exist' when scope is any of/);
  has(e3, 'spec.scopeSelector.matchExpressions.values', "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector");
  has(e3, 'spec.scopeSelector.matchExpressions.values', "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector");
  has(e3, 'spec.scopeSelector.matchExpressions.operator', 'not a valid selector operator');
});

test('ResourceQuota: REQUEST and LIMIT columns as upstream prints them', () => {
  const q = quota(
    { hard: { pods: '4', 'requests.cpu': '1', 'limits.cpu': '2', 'limits.memory': '1Gi' } },
    {
      hard: { pods: '4', 'requests.cpu': '1', 'limits.cpu': '2', 'limits.memory': '1Gi' },
      used: { pods: '1', 'requests.cpu': '500m', 'limits.cpu': '0' },
    },
  );
  assert.deepEqual(resourceQuotaKind.table.row(q, NOW), [
    'q',
    '5m',
    'pods: 1/4, requests.cpu: 500m/1',
    'limits.cpu: 0/2, limits.memory: 0/1Gi',
  ]);
});

const lr = (limits: LimitRangeItem[]): UnvalidatedObject<LimitRange> => ({
  apiVersion: 'v1',
  kind: 'LimitRange',
  metadata: meta('lr'),
  spec: { limits },
});

test('LimitRange: a Container item defaults its limit to max and its request to the limit, else to min', () => {
  const l = lr([{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }]);
  defaultLimitRange(l);
  assert.deepEqual(l.spec?.limits?.[0]?.default, { cpu: '2' });
  assert.deepEqual(l.spec?.limits?.[0]?.defaultRequest, { cpu: '2', memory: '64Mi' });
  assert.deepEqual(validateLimitRange(l), []);
  assert.deepEqual(limitRangeKind.table.row(l, NOW), ['lr', '2024-05-01T11:55:00Z']);
});

test('LimitRange: each bad input names the field and the rule', () => {
  const e1 = validateLimitRange(
    lr([
      { type: 'Container', min: { cpu: '2' }, max: { cpu: '1' }, default: { memory: '1Gi' }, defaultRequest: { memory: '2Gi' } },
      { type: 'Container' },
      { type: 'Nodes' },
    ]),
  );
  has(e1, 'spec.limits[0].min[cpu]', 'min value 2 is greater than max value 1');
  has(e1, 'spec.limits[0].defaultRequest[memory]', 'default request value 2Gi is greater than default limit value 1Gi');
  has(e1, 'spec.limits[1].type', '');
  assert.equal(e1.find((e) => e.field === 'spec.limits[1].type')?.type, 'FieldValueDuplicate');
  has(e1, 'spec.limits[2].type', 'must be a standard limit type or fully qualified');
  const e2 = validateLimitRange(lr([{ type: 'Pod', default: { cpu: '1' }, maxLimitRequestRatio: { cpu: '500m' } }]));
  has(e2, 'spec.limits[0].default', "may not be specified when `type` is 'Pod'");
  has(e2, 'spec.limits[0].maxLimitRequestRatio[cpu]', 'ratio 500m is less than 1');
  const e3 = validateLimitRange(
    lr([{ type: 'Container', min: { cpu: '100m' }, max: { cpu: '200m' }, maxLimitRequestRatio: { cpu: '3' } }]),
  );
  has(e3, 'spec.limits[0].maxLimitRequestRatio[cpu]', 'ratio 3 is greater than max/min = 2.000000');
  const e4 = validateLimitRange(lr([{ type: 'Container', max: { gpus: '1', cpu: 'x' } }]));
  has(e4, 'spec.limits[0].max[gpus]', 'must be a standard resource type or fully qualified');
  has(e4, 'spec.limits[0].max[cpu]', /quantities must match/);
  const e5 = validateLimitRange(lr([{ type: 'PersistentVolumeClaim', min: { storage: '2Gi' }, max: { storage: '1Gi' } }]));
  has(e5, 'spec.limits[0].min[storage]', 'min value 2Gi is greater than max value 1Gi');
});
