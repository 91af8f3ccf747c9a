// Taint and toleration facts shared by the node lifecycle and DaemonSet controllers: whether a
// toleration matches a taint, the NoExecute tolerance of a pod (how long it may stay), and the
// well-known taint keys the node lifecycle controller manages.

import type { Taint } from '../../api/kinds/core/node.js';
import type { Toleration } from '../../api/kinds/core/pod/types.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** True when the toleration covers the taint (key, operator Equal/Exists, value, effect). */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  // an empty key with Exists tolerates every taint
  const op = t.operator ?? 'Equal';
  if (op === 'Exists') return true;
  if (op !== 'Equal') return false;
  return (t.value ?? '') === (taint.value ?? '');
}

export function isTolerated(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** The first taint with one of `effects` that no toleration covers, if any. */
export function untoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined, effects: readonly string[]): Taint | undefined {
  return (taints ?? []).find((t) => effects.includes(t.effect ?? '') && !isTolerated(tolerations, t));
}

/**
 * For a pod on a node with these NoExecute taints: 'now' when some taint is not tolerated, 'never'
 * when every one is tolerated without a time limit, else the number of seconds the pod may stay
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
