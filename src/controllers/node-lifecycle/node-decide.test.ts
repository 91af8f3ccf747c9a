import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../../api/gen/types.js';
import { noExecuteTolerance } from '../../api/scheduling/tolerations.js';
import { desiredTaints, planEvictions, staleConditions } from './node-decide.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const node = (ready: string | undefined, taints: Node['spec'] = {}): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1' },
  spec: taints,
  status: { conditions: ready ? [{ type: 'Ready', status: ready }] : [] },
});
const pod = (name: string, tolerations: NonNullable<Pod['spec']>['tolerations'], extra: Partial<Pod['metadata']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'd', ...extra },
  spec: { nodeName: 'n1', tolerations, containers: [{ name: 'c', image: 'i' }] },
  status: { phase: 'Running' },
});

test('a stale node gets its kubelet conditions set to Unknown, once', () => {
  const n = node('True');
  const conds = staleConditions(n, T0);
  assert.equal(conds?.find((c) => c.type === 'Ready')?.status, 'Unknown');
  assert.equal(conds?.find((c) => c.type === 'Ready')?.reason, 'NodeStatusUnknown');
  assert.equal(conds?.find((c) => c.type === 'MemoryPressure')?.reason, 'NodeStatusNeverUpdated');
  assert.equal(staleConditions({ ...n, status: { conditions: conds } }, T0), undefined);
});

test('taints follow the Ready condition and keep unrelated taints', () => {
  const other = { key: 'team', value: 'a', effect: 'NoSchedule' };
  const unknown = desiredTaints(node('Unknown', { taints: [other] }), T0);
  assert.deepEqual(
    unknown?.map((t) => `${t.key}:${t.effect}`),
    ['team:NoSchedule', 'node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute'],
  );
  assert.equal(unknown?.find((t) => t.effect === 'NoExecute')?.timeAdded, '2024-01-01T00:00:00Z');
  const notReady = desiredTaints(node('False', { taints: unknown }), T0);
  assert.deepEqual(
    notReady?.map((t) => `${t.key}:${t.effect}`),
    ['team:NoSchedule', 'node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute'],
  );
  assert.deepEqual(desiredTaints(node('True', { taints: notReady }), T0), [other]);
  assert.equal(desiredTaints(node('True', { taints: [other] }), T0), undefined);
  assert.equal(desiredTaints(node(undefined), T0), undefined, 'no Ready condition yet: no taint');
  assert.deepEqual(
    desiredTaints(node('True', { unschedulable: true }), T0)?.map((t) => t.key),
    ['node.kubernetes.io/unschedulable'],
  );
});

test('NoExecute tolerance: untolerated now, the smallest tolerationSeconds, or never', () => {
  const taints = [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }];
  assert.equal(noExecuteTolerance(taints, []), 'now');
  assert.equal(noExecuteTolerance(taints, [{ operator: 'Exists' }]), 'never');
  assert.equal(
    noExecuteTolerance(taints, [
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
    ]),
    5,
  );
});

test('evictions after tolerationSeconds, force deletion after the grace period on a not-Ready node', () => {
  const n = node('Unknown', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] });
  const tol = (s: number) => [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: s }];
  const pods = [
    pod('bare', []),
    pod('short', tol(1)),
    pod('long', tol(300)),
    pod('dying', tol(300), { deletionTimestamp: new Date(T0 - 1000).toISOString() }),
    pod('dying-later', tol(300), { deletionTimestamp: new Date(T0 + 5000).toISOString() }),
  ];
  const plan = planEvictions(n, pods, T0 + 2000, T0);
  assert.deepEqual(
    plan.evict.map((p) => p.metadata.name),
    ['bare', 'short'],
  );
  assert.deepEqual(
    plan.forceDelete.map((p) => p.metadata.name),
    ['dying'],
  );
  assert.equal(plan.recheckMs, 3000);
  const early = planEvictions(n, pods, T0 + 500, T0);
  assert.deepEqual(
    early.evict.map((p) => p.metadata.name),
    ['bare'],
  );
  assert.equal(early.recheckMs, 500);
  const healthy = planEvictions(node('True'), pods, T0 + 10_000_000, T0);
  assert.equal(healthy.evict.length + healthy.forceDelete.length, 0);
});
