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

const sameToleration = (a: Toleration, b: Toleration): boolean =>
  (a.key ?? '') === (b.key ?? '') &&
  (a.operator ?? '') === (b.operator ?? '') &&
  (a.value ?? '') === (b.value ?? '') &&
  (a.effect ?? '') === (b.effect ?? '') &&
  a.tolerationSeconds === b.tolerationSeconds;

/** Whether `ss` tolerates everything `t` tolerates (upstream's isSuperset). */
function toleratesSuperset(ss: Toleration, t: Toleration): boolean {
  if (sameToleration(ss, t)) return true;
  // an empty key with Exists matches every key
  if ((t.key ?? '') !== (ss.key ?? '') && ((ss.key ?? '') !== '' || ss.operator !== 'Exists')) return false;
  // an empty effect matches every effect
  if ((t.effect ?? '') !== (ss.effect ?? '') && (ss.effect ?? '') !== '') return false;
  if (ss.effect === 'NoExecute' && ss.tolerationSeconds !== undefined) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds > ss.tolerationSeconds) return false;
  }
  switch (ss.operator ?? '') {
    case 'Equal':
    case '':
      return t.operator === 'Equal' && (t.value ?? '') === (ss.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/**
 * Two lists of tolerations as one, as RuntimeClass admission merges a RuntimeClass's tolerations
 * into a pod's: a toleration that another one already covers is dropped; of two equal ones the first stays.
 */
export function mergeTolerations(first: readonly Toleration[], second: readonly Toleration[]): Toleration[] {
  const all = [...first, ...second];
  const merged: Toleration[] = [];
  all.forEach((t, i) => {
    if (merged.some((m) => toleratesSuperset(m, t))) return;
    if (all.slice(i + 1).some((later) => !sameToleration(t, later) && toleratesSuperset(later, t))) return;
    merged.push(t);
  });
  return merged;
}
