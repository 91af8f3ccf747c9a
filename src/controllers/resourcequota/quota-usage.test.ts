import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ResourceQuota, Service } from '../../api/gen/types.js';
import type { KubeObject } from '../../api/object.js';
import { computeQuotaStatus, resourcesFor, sameQuotaStatus, type CountedResource } from './quota-usage.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const quota = (hard: Record<string, string>, spec: Partial<ResourceQuota['spec']> = {}): ResourceQuota => ({
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { name: 'q', namespace: 'ns' },
  spec: { hard, ...spec },
});
const pod = (
  name: string,
  o: { cpu?: string; limitMem?: string; phase?: string; deadline?: number; priorityClass?: string } = {},
): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns' },
  spec: {
    containers: [
      {
        name: 'c',
        image: 'i',
        resources: { ...(o.cpu ? { requests: { cpu: o.cpu } } : {}), ...(o.limitMem ? { limits: { memory: o.limitMem } } : {}) },
      },
    ],
    ...(o.deadline !== undefined ? { activeDeadlineSeconds: o.deadline } : {}),
    ...(o.priorityClass ? { priorityClassName: o.priorityClass } : {}),
  },
  status: { phase: o.phase ?? 'Running' },
});
const svc = (name: string, type: string, ports: number): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'ns' },
  spec: { type, ports: Array.from({ length: ports }, (_, i) => ({ port: 80 + i })) },
});

function lister(objects: Record<string, KubeObject[]>) {
  return async (r: CountedResource) => objects[`${r.group}/${r.plural}`];
}

test('used sums the namespace: terminal pods leave compute and `pods` but stay in count/pods; services count node ports', async () => {
  const objs = {
    '/pods': [pod('a', { cpu: '250m', limitMem: '128Mi' }), pod('b', { cpu: '1' }), pod('done', { cpu: '4', phase: 'Succeeded' })],
    '/services': [svc('np', 'NodePort', 2), svc('lb', 'LoadBalancer', 1), svc('plain', 'ClusterIP', 3)],
    '/configmaps': [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns' } }],
  };
  const q = quota({
    pods: '10',
    'count/pods': '10',
    'requests.cpu': '4',
    cpu: '4',
    'limits.memory': '1Gi',
    services: '5',
    'services.nodeports': '5',
    'services.loadbalancers': '1',
    configmaps: '3',
    'count/widgets.example.com': '1',
  });
  const st = await computeQuotaStatus(q, lister(objs), NOW);
  assert.deepEqual(st.hard, q.spec?.hard);
  assert.deepEqual(st.used, {
    pods: '2',
    'count/pods': '3',
    'requests.cpu': '1250m',
    cpu: '1250m',
    'limits.memory': '128Mi',
    services: '3',
    'services.nodeports': '3',
    'services.loadbalancers': '1',
    configmaps: '1',
  });
  assert.ok(sameQuotaStatus({ hard: st.hard, used: { ...st.used, cpu: '1.25' } }, st));
  assert.ok(!sameQuotaStatus({ hard: st.hard, used: { ...st.used, pods: '3' } }, st));
});

test('scopes: Terminating, BestEffort, PriorityClass selectors pick their pods', async () => {
  const objs = {
    '/pods': [
      pod('be'),
      pod('job', { cpu: '100m', deadline: 30 }),
      pod('hi', { cpu: '200m', priorityClass: 'high' }),
      pod('lo', { cpu: '300m', priorityClass: 'low' }),
    ],
  };
  const used = async (spec: Partial<ResourceQuota['spec']>, hard: Record<string, string> = { pods: '9' }) =>
    (await computeQuotaStatus(quota(hard, spec), lister(objs), NOW)).used;
  assert.deepEqual(await used({ scopes: ['Terminating'] }), { pods: '1' });
  assert.deepEqual(await used({ scopes: ['NotTerminating'] }), { pods: '3' });
  assert.deepEqual(await used({ scopes: ['BestEffort'] }), { pods: '1' });
  assert.deepEqual(await used({ scopes: ['NotBestEffort'] }, { 'requests.cpu': '9' }), { 'requests.cpu': '600m' });
  assert.deepEqual(
    await used({ scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } }),
    {
      pods: '1',
    },
  );
  assert.deepEqual(await used({ scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'DoesNotExist' }] } }), {
    pods: '2',
  });
  // a scoped quota counts no other kind
  assert.deepEqual(resourcesFor(['services', 'count/deployments.apps', 'requests.cpu']), [
    { group: 'apps', plural: 'deployments' },
    { group: '', plural: 'pods' },
    { group: '', plural: 'services' },
  ]);
});
