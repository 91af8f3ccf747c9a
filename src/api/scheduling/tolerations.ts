// Taints and tolerations, as upstream's component-helpers define them: whether a toleration covers
// a taint, the first taint a pod does not tolerate, and how long a pod may stay on a node with
// NoExecute taints. Used by the scheduler, the node lifecycle and DaemonSet controllers and the agent.

import type { Taint, Toleration } from '../gen/types.js';

/** True when the toleration covers the taint: effect (empty = all), key (empty with Exists = all), Equal/Exists. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator || 'Equal';
  if (op === 'Exists') return true;
  if (op === 'Equal') return (t.value ?? '') === (taint.value ?? '');
  return false;
}

export function isTolerated(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** The first taint (with one of `effects`, when given) that no toleration covers. */
export function firstUntolerated(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  effects?: readonly string[],
): Taint | undefined {
  if (!taints) return undefined;
  for (const taint of taints) {
    if (effects && !effects.includes(taint.effect)) continue;
    if (!isTolerated(tolerations, taint)) return taint;
  }
  return undefined;
}

/**
 * For a pod on a node with these taints: 'now' when a NoExecute taint is not tolerated, 'never'
 * when every NoExecute taint is tolerated without a time limit, else the seconds the pod may stay
 * (the smallest tolerationSeconds among the tolerations used; negative counts as 0).
 */
export function noExecuteTolerance(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): 'now' | 'never' | number {
  let min = Infinity;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const using = (tolerations ?? []).filter((t) => toleratesTaint(t, taint));
    if (using.length === 0) return 'now';
    for (const t of using) {
      if (typeof t.tolerationSeconds === 'number') min = Math.min(min, Math.max(0, t.tolerationSeconds));
    }
  }
  return min === Infinity ? 'never' : min;
}
