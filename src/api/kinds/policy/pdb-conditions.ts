// The DisruptionAllowed condition of a PodDisruptionBudget, written by both the disruption
// controller and the eviction subresource (which turns it False when it spends the last disruption).

import type { PodDisruptionBudget } from '../../gen/types.js';

/** DisruptionAllowed True/SufficientPods or False/InsufficientPods from disruptionsAllowed (transition time kept when unchanged). */
export function setDisruptionAllowed(pdb: PodDisruptionBudget, now: string): void {
  const st = pdb.status;
  if (!st) return;
  const ok = st.disruptionsAllowed > 0;
  const want = { status: ok ? 'True' : 'False', reason: ok ? 'SufficientPods' : 'InsufficientPods' };
  setPdbCondition(pdb, { type: 'DisruptionAllowed', ...want, message: '' }, now);
}

/** Upstream's meta.SetStatusCondition: lastTransitionTime moves only when the status changes. */
export function setPdbCondition(
  pdb: PodDisruptionBudget,
  c: { type: string; status: string; reason: string; message: string },
  now: string,
): void {
  const st = pdb.status;
  if (!st) return;
  const conds = st.conditions ?? [];
  const old = conds.find((x) => x.type === c.type);
  const lastTransitionTime = old && old.status === c.status ? old.lastTransitionTime : now;
  const next = { ...c, lastTransitionTime, observedGeneration: st.observedGeneration ?? 0 };
  st.conditions = old ? conds.map((x) => (x.type === c.type ? next : x)) : [...conds, next];
}
