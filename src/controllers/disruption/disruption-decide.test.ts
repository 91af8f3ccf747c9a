// The disruption controller's arithmetic: expected pods from the pods or from their controllers'
// scale, percentages rounded up, healthy pods, disruptedPods expiry, and the status it writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OwnerReference, Pod, PodDisruptionBudget } from '../../api/gen/types.js';
import {
  buildDisruptedPodMap,
  countHealthy,
  DELETION_TIMEOUT_MS,
  expectedPodCount,
  failSafeStatus,
  nextStatus,
  podsForPdb,
  staleDisruptionAt,
  STALE_DISRUPTION_TIMEOUT_MS,
  type ScaleFinder,
} from './disruption-decide.js';

const T0 = Date.parse('2026-12-07T08:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const owner = (uid: string, kind = 'ReplicaSet'): OwnerReference => ({
  apiVersion: 'apps/v1',
  kind,
  name: `rs-${uid}`,
  uid,
  controller: true,
});
function pod(name: string, o: { ready?: boolean; owner?: OwnerReference; labels?: Record<string, string>; deleting?: boolean } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      labels: o.labels ?? { app: 'web' },
      ...(o.owner ? { ownerReferences: [o.owner] } : {}),
      ...(o.deleting ? { deletionTimestamp: iso(T0) } : {}),
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}
const pdb = (spec: PodDisruptionBudget['spec'], status?: PodDisruptionBudget['status']): PodDisruptionBudget => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'b', namespace: 'ns', generation: 2 },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  ...(status ? { status } : {}),
});
const scales =
  (m: Record<string, number>): ScaleFinder =>
  async (ref) =>
    ref.uid in m ? { uid: ref.uid, scale: m[ref.uid] ?? 0 } : undefined;

test('integer minAvailable counts the pods; percentages use the controllers scale, rounded up', async () => {
  const rs = owner('rs1');
  const pods = [pod('a', { owner: rs }), pod('b', { owner: rs }), pod('c', { owner: rs })];
  assert.deepEqual(await expectedPodCount(pdb({ minAvailable: 2 }), pods, scales({})), {
    expectedCount: 3,
    desiredHealthy: 2,
    unmanaged: [],
  });
  // 50% of 5 replicas (the controller wants 5 though 3 exist) -> 3 (2.5 rounded up)
  assert.deepEqual(await expectedPodCount(pdb({ minAvailable: '50%' }), pods, scales({ rs1: 5 })), {
    expectedCount: 5,
    desiredHealthy: 3,
    unmanaged: [],
  });
  // maxUnavailable 30% of 5 -> 2 (1.5 up) unavailable -> 3 desired
  assert.equal((await expectedPodCount(pdb({ maxUnavailable: '30%' }), pods, scales({ rs1: 5 }))).desiredHealthy, 3);
  // maxUnavailable above the scale never asks for fewer than 0
  assert.equal((await expectedPodCount(pdb({ maxUnavailable: 9 }), pods, scales({ rs1: 5 }))).desiredHealthy, 0);
  // two controllers add up; a pod without one is listed apart
  const mixed = [pod('a', { owner: rs }), pod('x', { owner: owner('rs2') }), pod('lone')];
  assert.deepEqual(await expectedPodCount(pdb({ maxUnavailable: 1 }), mixed, scales({ rs1: 2, rs2: 4 })), {
    expectedCount: 6,
    desiredHealthy: 5,
    unmanaged: ['lone'],
  });
  // a controller that cannot be found fails the sync
  await assert.rejects(expectedPodCount(pdb({ maxUnavailable: 1 }), pods, scales({})), /found no controllers for pod "a"/);
});

test('selectors: {} covers the namespace, labels narrow it', () => {
  const pods = [pod('a'), pod('b', { labels: { app: 'db' } })];
  assert.deepEqual(
    podsForPdb(pdb({ minAvailable: 1 }), pods).map((p) => p.metadata.name),
    ['a'],
  );
  assert.equal(podsForPdb({ ...pdb({}), spec: { selector: {} } }, pods).length, 2);
  assert.equal(podsForPdb({ ...pdb({}), spec: {} }, pods).length, 0);
});

test('healthy pods: ready, not terminating, not recently evicted; disruptedPods entries expire', () => {
  const pods = [pod('a'), pod('b', { ready: false }), pod('c', { deleting: true }), pod('d'), pod('e')];
  const b = pdb(
    { minAvailable: 1 },
    {
      currentHealthy: 0,
      desiredHealthy: 0,
      expectedPods: 0,
      disruptionsAllowed: 0,
      disruptedPods: { d: iso(T0 - 1000), e: iso(T0 - DELETION_TIMEOUT_MS - 1000), c: iso(T0), gone: iso(T0) },
    },
  );
  const dm = buildDisruptedPodMap(pods, b, T0);
  assert.deepEqual(dm.disrupted, { d: iso(T0 - 1000) });
  assert.equal(dm.recheckAt, T0 - 1000 + DELETION_TIMEOUT_MS);
  assert.deepEqual(
    dm.notDeleted.map((p) => p.metadata.name),
    ['e'],
  );
  // a and e are healthy; b unready, c terminating, d just evicted
  assert.equal(countHealthy(pods, dm.disrupted, T0), 2);
});

test('status: disruptions allowed only with expected pods; conditions; no write when unchanged', () => {
  const b = pdb({ minAvailable: 2 });
  const next = nextStatus(b, { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3, disrupted: {} }, T0);
  assert.ok(next?.status);
  assert.deepEqual(
    { ...next.status, conditions: undefined },
    { currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1, observedGeneration: 2, conditions: undefined },
  );
  assert.deepEqual(next.status.conditions, [
    {
      type: 'DisruptionAllowed',
      status: 'True',
      reason: 'SufficientPods',
      message: '',
      lastTransitionTime: iso(T0),
      observedGeneration: 2,
    },
  ]);
  assert.equal(nextStatus(next, { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3, disrupted: {} }, T0 + 5000), undefined);
  const none = nextStatus(next, { currentHealthy: 3, desiredHealthy: 0, expectedCount: 0, disrupted: {} }, T0 + 5000);
  assert.equal(none?.status?.disruptionsAllowed, 0);
  assert.equal(none?.status?.conditions?.[0]?.reason, 'InsufficientPods');
  assert.equal(none?.status?.conditions?.[0]?.lastTransitionTime, iso(T0 + 5000));

  const failed = failSafeStatus(next, 'found no controllers for pod "a"', T0);
  assert.equal(failed.status?.disruptionsAllowed, 0);
  assert.deepEqual(
    [failed.status?.conditions?.[0]?.reason, failed.status?.conditions?.[0]?.message],
    ['SyncFailed', 'found no controllers for pod "a"'],
  );
});

test('a DisruptionTarget condition left on a pod that stayed goes stale after two minutes', () => {
  const p = pod('a');
  assert.equal(staleDisruptionAt(p), undefined);
  p.status!.conditions!.push({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', lastTransitionTime: iso(T0) });
  assert.equal(staleDisruptionAt(p), T0 + STALE_DISRUPTION_TIMEOUT_MS);
  assert.equal(staleDisruptionAt({ ...p, metadata: { ...p.metadata, deletionTimestamp: iso(T0) } }), undefined);
  assert.equal(staleDisruptionAt({ ...p, status: { ...p.status, phase: 'Failed' } }), undefined);
});
