// The eviction decisions without a server: which pods skip the budget, which budgets match, when an
// unready pod may go for free, and the checked decrement with upstream's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodDisruptionBudget } from '../../api/gen/types.js';
import { StatusError } from '../../base/errors.js';
import { canIgnorePdb, checkAndDecrement, matchingPdbs, unhealthyMayGo } from './eviction-decide.js';

const NOW = '2026-12-07T08:00:00Z';
const pod = (phase: string, ready = true, labels: Record<string, string> = { app: 'web' }): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', labels },
  status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const pdb = (
  status: Partial<NonNullable<PodDisruptionBudget['status']>>,
  spec: PodDisruptionBudget['spec'] = {},
  generation = 1,
): PodDisruptionBudget => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: 'ns', generation },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  status: { currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1, observedGeneration: 1, ...status },
});
function refusal(f: () => unknown): StatusError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof StatusError);
    return e;
  }
  return assert.fail('expected a refusal');
}

test('terminal, pending and terminating pods skip the budget', () => {
  for (const phase of ['Succeeded', 'Failed', 'Pending']) assert.equal(canIgnorePdb(pod(phase)), true, phase);
  assert.equal(canIgnorePdb(pod('Running')), false);
  const t = pod('Running');
  t.metadata.deletionTimestamp = NOW;
  assert.equal(canIgnorePdb(t), true);
});

test('budgets match by selector; an empty selector matches nothing here', () => {
  const p = pod('Running');
  const empty = { ...pdb({}), spec: { selector: {} } };
  const other = pdb({}, { selector: { matchLabels: { app: 'db' } } });
  assert.deepEqual(matchingPdbs(p, [pdb({}), empty, other]).length, 1);
});

test('an unready pod goes for free under AlwaysAllow, or while the budget is met', () => {
  assert.equal(unhealthyMayGo(pod('Running', true), pdb({})), false);
  assert.equal(unhealthyMayGo(pod('Running', false), pdb({})), true);
  assert.equal(unhealthyMayGo(pod('Running', false), pdb({ currentHealthy: 1 })), false);
  assert.equal(unhealthyMayGo(pod('Running', false), pdb({ currentHealthy: 1 }, { unhealthyPodEvictionPolicy: 'AlwaysAllow' })), true);
});

test('the decrement records the pod, and refuses as upstream when nothing is left', () => {
  const b = checkAndDecrement(pdb({}), 'p', NOW, false);
  assert.equal(b.status?.disruptionsAllowed, 0);
  assert.deepEqual(b.status?.disruptedPods, { p: NOW });
  assert.equal(b.status?.conditions?.[0]?.reason, 'InsufficientPods');
  const dry = checkAndDecrement(pdb({}), 'p', NOW, true);
  assert.equal(dry.status?.disruptedPods, undefined);

  const none = refusal(() => checkAndDecrement(pdb({ disruptionsAllowed: 0, currentHealthy: 2 }), 'p', NOW, false));
  assert.equal(none.code, 429);
  assert.equal(none.message, "Cannot evict pod as it would violate the pod's disruption budget.");
  assert.deepEqual(none.details?.causes, [
    { reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' },
  ]);

  const stale = refusal(() => checkAndDecrement(pdb({}, {}, 2), 'p', NOW, false));
  assert.equal(stale.code, 429);
  assert.equal(stale.details?.causes?.[0]?.message, 'The disruption budget web is still being processed by the server.');
  assert.equal(stale.details?.retryAfterSeconds, 10);

  const negative = refusal(() => checkAndDecrement(pdb({ disruptionsAllowed: -1 }), 'p', NOW, false));
  assert.equal(negative.code, 403);
  assert.match(negative.message, /pdb disruptions allowed is negative/);
});
