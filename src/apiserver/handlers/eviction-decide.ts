// What the eviction subresource decides about one pod and its PodDisruptionBudgets, as upstream's
// eviction REST does, without I/O: whether the budget can be skipped (terminal, pending or already
// terminating pods), which budgets cover the pod, whether an unready pod may go without spending
// the budget, and the checked decrement of status.disruptionsAllowed with upstream's errors.

import type { Pod, PodDisruptionBudget } from '../../api/gen/types.js';
import { fromLabelSelector } from '../../api/label-selector.js';
import { forbidden, StatusError } from '../../base/errors.js';
import { setDisruptionAllowed } from '../../api/kinds/policy/pdb-conditions.js';

/** Upstream's cap on status.disruptedPods: beyond it evictions are refused until the controller catches up. */
const MAX_DISRUPTED_POD_SIZE = 2000;
const TOO_MANY = "Cannot evict pod as it would violate the pod's disruption budget.";
export const MULTIPLE_PDBS = 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.';

/** Succeeded, Failed and Pending pods, and pods already being deleted, are evicted without looking at budgets. */
export function canIgnorePdb(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || pod.metadata.deletionTimestamp != null;
}

/** Whether the delete must be pinned to the version the decision read (a pod could turn ready meanwhile). */
export function shouldEnforceResourceVersion(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !(phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp != null);
}

const isPodReady = (pod: Pod): boolean => (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** The budgets of the pod's namespace whose selector matches it; an empty or invalid selector matches nothing here. */
export function matchingPdbs(pod: Pod, pdbs: readonly PodDisruptionBudget[]): PodDisruptionBudget[] {
  const labels = pod.metadata.labels ?? {};
  return pdbs.filter((pdb) => {
    const sel = pdb.spec?.selector;
    if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) return false;
    try {
      return fromLabelSelector(sel).matches(labels);
    } catch {
      return false;
    }
  });
}

/**
 * An unready pod does not count as healthy, so evicting it costs the budget nothing when the policy
 * says AlwaysAllow, or (IfHealthyBudget, the default) when the budget is currently met.
 */
export function unhealthyMayGo(pod: Pod, pdb: PodDisruptionBudget): boolean {
  if (isPodReady(pod)) return false;
  if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return true;
  const st = pdb.status;
  return (st?.currentHealthy ?? 0) >= (st?.desiredHealthy ?? 0) && (st?.desiredHealthy ?? 0) > 0;
}

function tooManyRequests(pdbName: string, cause: string, retryAfterSeconds: number): StatusError {
  return new StatusError(429, 'TooManyRequests', TOO_MANY, {
    causes: [{ reason: 'DisruptionBudget', message: cause }],
    ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}),
  });
}

/** The 429 for a budget whose latest spec the controller has not processed yet (or a lost race on the pod). */
export const stillProcessing = (pdbName: string): StatusError =>
  tooManyRequests(pdbName, `The disruption budget ${pdbName} is still being processed by the server.`, 10);

const pdbForbidden = (name: string, why: string) => forbidden(`poddisruptionbudget.policy "${name}" is forbidden: ${why}`);

/**
 * Spends one disruption of `pdb` (a private copy, changed in place) for `podName` at `now`:
 * disruptionsAllowed goes down by one, the pod goes into disruptedPods (not for dry runs, as
 * upstream), and the DisruptionAllowed condition turns False when nothing is left. Throws upstream's
 * 429/403 when the budget does not allow it.
 */
export function checkAndDecrement(pdb: PodDisruptionBudget, podName: string, now: string, dryRun: boolean): PodDisruptionBudget {
  const name = pdb.metadata.name ?? '';
  const st = (pdb.status ??= { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 });
  if ((st.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw stillProcessing(name);
  if (st.disruptionsAllowed < 0) throw pdbForbidden(name, 'pdb disruptions allowed is negative');
  if (Object.keys(st.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
    throw pdbForbidden(name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if (st.disruptionsAllowed === 0) {
    throw tooManyRequests(
      name,
      `The disruption budget ${name} needs ${st.desiredHealthy} healthy pods and has ${st.currentHealthy} currently`,
      0,
    );
  }
  st.disruptionsAllowed--;
  if (st.disruptionsAllowed === 0) setDisruptionAllowed(pdb, now);
  if (!dryRun) st.disruptedPods = { ...st.disruptedPods, [podName]: now };
  return pdb;
}
