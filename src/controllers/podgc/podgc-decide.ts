// Pure decisions of the pod garbage collector (upstream: kube-controller-manager's podgc): which
// terminated pods go once there are more than the threshold, which terminating pods are stuck on a
// node taken out of service, which pods are bound to a node that is gone (after a quarantine, so
// that a node the cache has not seen yet is not mistaken for a deleted one), which terminating
// pods were never scheduled, and the status a pod gets before it is force-deleted.

import type { Node, Pod, PodCondition } from '../../api/gen/types.js';
import { TAINT_OUT_OF_SERVICE } from '../../api/well-known.js';
import { rfc3339 } from '../../base/time.js';

/** kube-controller-manager's --terminated-pod-gc-threshold default (0 turns that collection off). */
export const DEFAULT_TERMINATED_POD_GC_THRESHOLD = 12_500;
/** How often upstream's collector runs (gcCheckPeriod). */
export const DEFAULT_GC_CHECK_PERIOD_MS = 20_000;
/** How long a node must stay missing before its pods count as orphaned (quarantineTime). */
export const DEFAULT_QUARANTINE_MS = 40_000;

/** Upstream's condition on a pod whose node no longer exists, set just before the force delete. */
export const ORPHANED_POD_CONDITION = {
  type: 'DisruptionTarget',
  status: 'True',
  reason: 'DeletionByPodGC',
  message: 'PodGC: node no longer exists',
} as const;

/**
 * Finished: Succeeded or Failed. (Upstream counts every phase but Pending, Running and Unknown; the
 * API server here always sets a phase at create, so the two agree on every stored pod.)
 */
function isPodTerminated(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Failed with reason Evicted, as the kubelet's eviction manager leaves a pod. */
const isEvicted = (p: Pod) => p.status?.phase === 'Failed' && p.status.reason === 'Evicted';

const createdAt = (p: Pod) => {
  const t = Date.parse(p.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
};

/**
 * Upstream's deletion order: evicted pods first (they belong to nobody's history), then the oldest
 * by creationTimestamp, the name breaking ties.
 */
export function byEvictionThenAge(a: Pod, b: Pod): number {
  const ea = isEvicted(a);
  if (ea !== isEvicted(b)) return ea ? -1 : 1;
  const d = createdAt(a) - createdAt(b);
  if (d !== 0) return d;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** The terminated pods beyond `threshold`, in deletion order; none when the threshold is 0 (off). */
export function terminatedToCollect(pods: readonly Pod[], threshold: number): Pod[] {
  if (threshold <= 0) return [];
  const done = pods.filter(isPodTerminated);
  const excess = done.length - threshold;
  if (excess <= 0) return [];
  return done.sort(byEvictionThenAge).slice(0, excess);
}

/** Ready condition True (no condition at all is not Ready). */
const isNodeReady = (n: Node) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
const isOutOfService = (n: Node) => (n.spec?.taints ?? []).some((t) => t.key === TAINT_OUT_OF_SERVICE);

/**
 * Terminating pods on a node that is not Ready and carries the out-of-service taint (any value or
 * effect): an administrator has said the node will not come back to finish them.
 */
export function terminatingOnOutOfServiceNodes(pods: readonly Pod[], nodeNamed: (name: string) => Node | undefined): Pod[] {
  const out = pods.filter((p) => {
    if (!p.metadata.deletionTimestamp || !p.spec?.nodeName) return false;
    const node = nodeNamed(p.spec.nodeName);
    return node !== undefined && !isNodeReady(node) && isOutOfService(node);
  });
  return out.sort(byEvictionThenAge);
}

/** Terminating pods never bound to a node: no kubelet will ever finish them. */
export function unscheduledTerminating(pods: readonly Pod[]): Pod[] {
  return pods.filter((p) => p.metadata.deletionTimestamp && !p.spec?.nodeName);
}

/** The names of the nodes pods are bound to that `nodeExists` does not know. */
export function missingNodes(pods: readonly Pod[], nodeExists: (name: string) => boolean): Set<string> {
  const out = new Set<string>();
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (n && !out.has(n) && !nodeExists(n)) out.add(n);
  }
  return out;
}

export interface QuarantineStep {
  /** Node name -> when its quarantine ends (ms), for the nodes still waiting. */
  waiting: Map<string, number>;
  /** Nodes whose quarantine ended: check them against the API now (unless the cache has them again). */
  due: string[];
}

/**
 * One step of the quarantine: a newly missing node waits `quarantineMs` from `now` (a node already
 * waiting keeps its earlier end); nodes whose time is up leave the list as `due`. A node checked
 * and still missing comes back on the next pass and waits again, as in upstream's delaying queue.
 */
export function stepQuarantine(
  waiting: ReadonlyMap<string, number>,
  missing: Iterable<string>,
  now: number,
  quarantineMs: number,
): QuarantineStep {
  const next = new Map(waiting);
  for (const n of missing) if (!next.has(n)) next.set(n, now + quarantineMs);
  const due: string[] = [];
  for (const [n, until] of next) {
    if (until > now) continue;
    due.push(n);
    next.delete(n);
  }
  return { waiting: next, due };
}

/** The pods bound to one of `goneNodes`. */
export function podsOnNodes(pods: readonly Pod[], goneNodes: ReadonlySet<string>): Pod[] {
  return pods.filter((p) => p.spec?.nodeName !== undefined && goneNodes.has(p.spec.nodeName));
}

/**
 * The status patch (strategic merge, with the pod's uid as a precondition) that moves a pod not yet
 * finished to Failed, adding `condition` when given; undefined for a pod already Succeeded or
 * Failed, which is deleted as it is. A pod on a node that is gone has no kubelet left to do this.
 */
export function failedStatusPatch(pod: Pod, now: number, condition?: Omit<PodCondition, 'lastTransitionTime'>): object | undefined {
  if (isPodTerminated(pod)) return undefined;
  const status: { phase: string; conditions?: PodCondition[] } = { phase: 'Failed' };
  if (condition) {
    const old = pod.status?.conditions?.find((c) => c.type === condition.type);
    const since = old && old.status === condition.status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now);
    status.conditions = [{ ...condition, lastTransitionTime: since }];
  }
  return { metadata: { uid: pod.metadata.uid }, status };
}
