import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillZeroFields } from './zero-fields.js';

const filled = (schema: string, obj: Record<string, unknown>) => {
  const o = structuredClone(obj);
  fillZeroFields(schema, o);
  return o;
};
const meta = { metadata: { name: 'x' } };

test('a ReplicaSet without status gets status.replicas: 0 (as kube-apiserver answers a create)', () => {
  const spec = { replicas: 2, template: { spec: { containers: [] } } };
  const o = filled('io.k8s.api.apps.v1.ReplicaSet', { ...meta, spec });
  assert.deepEqual(o['status'], { replicas: 0 });
  // omitempty fields (status counters, spec.minReadySeconds) are not invented
  assert.deepEqual(o['spec'], spec);
});

test("a DaemonSet's four non-omitempty counters, and nothing else", () => {
  const o = filled('io.k8s.api.apps.v1.DaemonSet', { ...meta, spec: {}, status: {} });
  assert.deepEqual(o['status'], { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
});

test('existing values are kept; only absent fields are filled', () => {
  const o = filled('io.k8s.api.apps.v1.DaemonSet', { ...meta, status: { numberReady: 3, numberAvailable: 3 } });
  assert.deepEqual(o['status'], {
    numberReady: 3,
    numberAvailable: 3,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    desiredNumberScheduled: 0,
  });
});

test('StatefulSet: status replicas and availableReplicas (not omitempty), spec.serviceName ""; collisionCount (a pointer) stays absent', () => {
  const o = filled('io.k8s.api.apps.v1.StatefulSet', { ...meta, spec: { replicas: 1 } });
  assert.deepEqual(o['status'], { replicas: 0, availableReplicas: 0 });
  assert.equal((o['spec'] as Record<string, unknown>)['serviceName'], '');
});

test('Deployment and Job: an always-written but empty status', () => {
  assert.deepEqual(filled('io.k8s.api.apps.v1.Deployment', { ...meta, spec: {} })['status'], {});
  assert.deepEqual(filled('io.k8s.api.batch.v1.Job', { ...meta, spec: {} })['status'], {});
});

test('nested non-pointer structs of status: Service status.loadBalancer {}', () => {
  assert.deepEqual(filled('io.k8s.api.core.v1.Service', { ...meta, spec: {} })['status'], { loadBalancer: {} });
});

test('PodDisruptionBudget counters and HorizontalPodAutoscaler v2 desiredReplicas', () => {
  assert.deepEqual(filled('io.k8s.api.policy.v1.PodDisruptionBudget', { ...meta })['status'], {
    disruptionsAllowed: 0,
    currentHealthy: 0,
    desiredHealthy: 0,
    expectedPods: 0,
  });
  assert.deepEqual(filled('io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler', { ...meta })['status'], { desiredReplicas: 0 });
});

test("spec's top-level structs exist even when empty (NetworkPolicy podSelector, PVC resources), their insides untouched", () => {
  assert.deepEqual(filled('io.k8s.api.networking.v1.NetworkPolicy', { ...meta, spec: {} })['spec'], { podSelector: {} });
  assert.deepEqual(filled('io.k8s.api.core.v1.PersistentVolumeClaim', { ...meta, spec: { accessModes: ['ReadWriteOnce'] } })['spec'], {
    accessModes: ['ReadWriteOnce'],
    resources: {},
  });
  const tpl = { metadata: { labels: { a: 'b' } }, spec: { containers: [] } };
  assert.deepEqual(
    (filled('io.k8s.api.apps.v1.ReplicaSet', { ...meta, spec: { template: tpl } })['spec'] as Record<string, unknown>)['template'],
    tpl,
  );
});

test('kinds without status and unknown definitions are left alone', () => {
  assert.deepEqual(filled('io.k8s.api.core.v1.ConfigMap', { ...meta, data: {} }), { ...meta, data: {} });
  assert.deepEqual(filled('com.example.v1.Widget', { ...meta }), { ...meta });
});
