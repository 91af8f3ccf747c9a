// The disruption controller's arithmetic, without I/O, as upstream's: which pods a budget covers,
// how many pods are expected (the pods themselves for an integer minAvailable; otherwise the sum of
// the scales of the pods' controllers, found through the owner chain), how many must stay healthy
// (percentages rounded up), which entries of status.disruptedPods still hold (an eviction's pod is
// not counted healthy for two minutes, unless it is already terminating or gone), and the status.

import type { OwnerReference, Pod, PodDisruptionBudget, PodDisruptionBudgetStatus } from '../../api/gen/types.js';
import { setDisruptionAllowed, setPdbCondition } from '../../api/kinds/policy/pdb-conditions.js';
import { fromLabelSelector } from '../../api/label-selector.js';
import { getScaledValueFromIntOrPercent, isPercent } from '../../base/int-or-string.js';
import { rfc3339 } from '../../base/time.js';

/** How long an evicted pod may take to start terminating before the budget counts it again. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

/** A controller found for a pod: its uid (several pods share one) and its desired replicas. */
export interface ControllerScale {
  uid: string;
  scale: number;
}

/** Resolves a pod's controller reference to its scale; undefined when the owner is not a scalable controller. */
export type ScaleFinder = (ref: OwnerReference, namespace: string) => Promise<ControllerScale | undefined>;

/** The pods of the budget's namespace its selector matches (v1: `{}` matches every pod, no selector none). */
export function podsForPdb(pdb: PodDisruptionBudget, pods: readonly Pod[]): Pod[] {
  const m = fromLabelSelector(pdb.spec?.selector);
  return pods.filter((p) => m.matches(p.metadata.labels ?? {}));
}

const controllerOf = (pod: Pod): OwnerReference | undefined => (pod.metadata.ownerReferences ?? []).find((r) => r.controller === true);

/** Sum of the scales of the pods' distinct controllers; pods without a controller are listed apart. */
async function expectedScale(pods: readonly Pod[], find: ScaleFinder): Promise<{ expected: number; unmanaged: string[] }> {
  const scales = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = controllerOf(pod);
    if (!ref) {
      unmanaged.push(pod.metadata.name ?? '');
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const found = await find(ref, pod.metadata.namespace ?? '');
    if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name ?? ''}"`);
    scales.set(found.uid, found.scale);
  }
  let expected = 0;
  for (const s of scales.values()) expected += s;
  return { expected, unmanaged };
}

export interface ExpectedCount {
  expectedCount: number;
  desiredHealthy: number;
  unmanaged: string[];
}

/** expectedPods and desiredHealthy of a budget over its pods (throws when a controller cannot be found). */
export async function expectedPodCount(pdb: PodDisruptionBudget, pods: readonly Pod[], find: ScaleFinder): Promise<ExpectedCount> {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined) {
    const { expected, unmanaged } = await expectedScale(pods, find);
    const maxUnavailable = getScaledValueFromIntOrPercent(spec.maxUnavailable, expected, true);
    return { expectedCount: expected, desiredHealthy: Math.max(0, expected - maxUnavailable), unmanaged };
  }
  if (spec.minAvailable !== undefined) {
    if (!isPercent(spec.minAvailable)) return { expectedCount: pods.length, desiredHealthy: Number(spec.minAvailable), unmanaged: [] };
    const { expected, unmanaged } = await expectedScale(pods, find);
    return { expectedCount: expected, desiredHealthy: getScaledValueFromIntOrPercent(spec.minAvailable, expected, true), unmanaged };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanaged: [] };
}

/**
 * The disruptedPods entries that still hold at `now` (pods that exist, are not terminating, and were
 * evicted less than DELETION_TIMEOUT_MS ago), the earliest time one of them expires, and the pods
 * whose entry expired without the pod going (upstream records a NotDeleted event for them).
 */
export function buildDisruptedPodMap(
  pods: readonly Pod[],
  pdb: PodDisruptionBudget,
  now: number,
): { disrupted: Record<string, string>; recheckAt: number | undefined; notDeleted: Pod[] } {
  const recorded = pdb.status?.disruptedPods ?? {};
  const disrupted: Record<string, string> = {};
  const notDeleted: Pod[] = [];
  let recheckAt: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp != null) continue;
    const name = pod.metadata.name ?? '';
    const at = recorded[name];
    if (!at) continue;
    const t = Date.parse(at);
    const expires = (Number.isNaN(t) ? 0 : t) + DELETION_TIMEOUT_MS;
    if (expires < now) notDeleted.push(pod);
    else {
      disrupted[name] = at;
      if (recheckAt === undefined || expires < recheckAt) recheckAt = expires;
    }
  }
  return { disrupted, recheckAt, notDeleted };
}

const isReady = (pod: Pod) => (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Ready pods that are neither terminating nor recently evicted. */
export function countHealthy(pods: readonly Pod[], disrupted: Readonly<Record<string, string>>, now: number): number {
  let n = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp != null) continue;
    const at = disrupted[pod.metadata.name ?? ''];
    if (at && Date.parse(at) + DELETION_TIMEOUT_MS > now) continue;
    if (isReady(pod)) n++;
  }
  return n;
}

/**
 * The budget with its new status (a copy), or undefined when the stored one is already right.
 * disruptionsAllowed is 0 while no pods are expected, so that a budget whose first pods just
 * appeared is safe before the controller has looked at them.
 */
export function nextStatus(
  pdb: PodDisruptionBudget,
  c: { currentHealthy: number; desiredHealthy: number; expectedCount: number; disrupted: Record<string, string> },
  now: number,
): PodDisruptionBudget | undefined {
  let allowed = c.currentHealthy - c.desiredHealthy;
  if (c.expectedCount <= 0 || allowed <= 0) allowed = 0;
  const generation = pdb.metadata.generation ?? 0;
  const status: PodDisruptionBudgetStatus = {
    currentHealthy: c.currentHealthy,
    desiredHealthy: c.desiredHealthy,
    expectedPods: c.expectedCount,
    disruptionsAllowed: allowed,
    observedGeneration: generation,
    ...(Object.keys(c.disrupted).length > 0 ? { disruptedPods: c.disrupted } : {}),
    ...(pdb.status?.conditions ? { conditions: pdb.status.conditions } : {}),
  };
  const next: PodDisruptionBudget = { ...pdb, status };
  setDisruptionAllowed(next, rfc3339(now));
  return sameStatus(pdb.status, next.status) ? undefined : next;
}

/** The budget after a failed sync: no disruptions allowed, DisruptionAllowed False/SyncFailed with the error. */
export function failSafeStatus(pdb: PodDisruptionBudget, message: string, now: number): PodDisruptionBudget {
  const old = pdb.status;
  const status: PodDisruptionBudgetStatus = {
    currentHealthy: old?.currentHealthy ?? 0,
    desiredHealthy: old?.desiredHealthy ?? 0,
    expectedPods: old?.expectedPods ?? 0,
    ...old,
    disruptionsAllowed: 0,
  };
  const next: PodDisruptionBudget = { ...pdb, status };
  setPdbCondition(next, { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message }, rfc3339(now));
  return next;
}

function sameStatus(a: PodDisruptionBudgetStatus | undefined, b: PodDisruptionBudgetStatus | undefined): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
function canonical(s: PodDisruptionBudgetStatus | undefined): unknown {
  if (!s) return undefined;
  const dp = s.disruptedPods ?? {};
  return [
    s.currentHealthy,
    s.desiredHealthy,
    s.expectedPods,
    s.disruptionsAllowed,
    s.observedGeneration ?? 0,
    Object.keys(dp)
      .sort()
      .map((k) => [k, dp[k]]),
    (s.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message, c.lastTransitionTime, c.observedGeneration ?? 0]),
  ];
}

/** Upstream's default: a DisruptionTarget condition left on a pod that did not go is reset after this. */
export const STALE_DISRUPTION_TIMEOUT_MS = 2 * 60 * 1000;

/**
 * When a pod's DisruptionTarget=True condition (written by an eviction or a preemption whose delete
 * never happened) becomes stale: undefined when it has none to clean (terminating and finished pods,
 * and the kubelet's own conditions, are left alone), else the time from which it is stale.
 */
export function staleDisruptionAt(pod: Pod): number | undefined {
  if (pod.metadata.deletionTimestamp != null) return undefined;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return undefined;
  const c = (pod.status?.conditions ?? []).find((x) => x.type === 'DisruptionTarget');
  if (!c || c.status !== 'True' || c.reason === 'TerminationByKubelet') return undefined;
  const t = Date.parse(c.lastTransitionTime ?? '');
  return (Number.isNaN(t) ? 0 : t) + STALE_DISRUPTION_TIMEOUT_MS;
}
