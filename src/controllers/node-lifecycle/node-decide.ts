// Pure decisions of the node lifecycle controller: when a node's status has gone stale (its Lease and
// status heartbeats stopped), which conditions turn Unknown, which taints the node should carry for
// its conditions, and which of its pods are evicted (NoExecute taints), force-deleted or marked not
// Ready.

import type { Node, NodeCondition, Pod, Taint } from '../../api/gen/types.js';
import { noExecuteTolerance } from '../../api/scheduling/tolerations.js';
import {
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY,
  TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
} from '../../api/well-known.js';
import { rfc3339 } from '../../base/time.js';

/** The conditions the kubelet owns: when it stops posting they all turn Unknown. */
const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;
const REASON_UNKNOWN = 'NodeStatusUnknown';
const MESSAGE_STOPPED = 'Kubelet stopped posting node status.';
const REASON_NEVER = 'NodeStatusNeverUpdated';
const MESSAGE_NEVER = 'Kubelet never posted node status.';

/** Taint keys whose presence this controller decides (every other taint is left alone). */
const MANAGED_TAINTS: ReadonlySet<string> = new Set([
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  TAINT_MEMORY_PRESSURE,
  TAINT_DISK_PRESSURE,
  TAINT_PID_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
]);

export function conditionOf(node: Node, type: string): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === type);
}

/** 'True' | 'False' | 'Unknown' ('Unknown' when the node has no Ready condition). */
export function readyStatus(node: Node): string {
  return conditionOf(node, 'Ready')?.status ?? 'Unknown';
}

/**
 * The conditions a stale node should have (its kubelet-owned conditions set to Unknown), or
 * undefined when they already are.
 */
export function staleConditions(node: Node, now: number): NodeCondition[] | undefined {
  const current = node.status?.conditions ?? [];
  let changed = false;
  const at = rfc3339(now);
  const out = current.map((c) => {
    if (!(KUBELET_CONDITIONS as readonly string[]).includes(c.type) || c.status === 'Unknown') return c;
    changed = true;
    return { ...c, status: 'Unknown', reason: REASON_UNKNOWN, message: MESSAGE_STOPPED, lastTransitionTime: at };
  });
  for (const type of KUBELET_CONDITIONS) {
    if (current.some((c) => c.type === type)) continue;
    changed = true;
    out.push({ type, status: 'Unknown', reason: REASON_NEVER, message: MESSAGE_NEVER, lastHeartbeatTime: at, lastTransitionTime: at });
  }
  return changed ? out : undefined;
}

/** The managed taints the node's conditions and spec call for (key:effect pairs). */
function wantedManagedTaints(node: Node): Array<{ key: string; effect: string }> {
  const out: Array<{ key: string; effect: string }> = [];
  // a node that never reported Ready gets no readiness taint until it is marked Unknown
  const ready = conditionOf(node, 'Ready')?.status;
  if (ready === 'False') out.push({ key: TAINT_NOT_READY, effect: 'NoSchedule' }, { key: TAINT_NOT_READY, effect: 'NoExecute' });
  if (ready === 'Unknown') out.push({ key: TAINT_UNREACHABLE, effect: 'NoSchedule' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute' });
  if (node.spec?.unschedulable === true) out.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  const pressure: Array<[string, string]> = [
    ['MemoryPressure', TAINT_MEMORY_PRESSURE],
    ['DiskPressure', TAINT_DISK_PRESSURE],
    ['PIDPressure', TAINT_PID_PRESSURE],
    ['NetworkUnavailable', TAINT_NETWORK_UNAVAILABLE],
  ];
  for (const [type, key] of pressure) if (conditionOf(node, type)?.status === 'True') out.push({ key, effect: 'NoSchedule' });
  return out;
}

/**
 * The node's full taint list after adding missing managed taints (NoExecute ones stamped with
 * timeAdded) and removing managed taints no longer called for; undefined when nothing changes.
 */
export function desiredTaints(node: Node, now: number): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const wanted = wantedManagedTaints(node);
  const has = (k: string, e: string) => wanted.some((w) => w.key === k && w.effect === e);
  const kept = current.filter((t) => !MANAGED_TAINTS.has(t.key) || has(t.key, t.effect));
  const added: Taint[] = wanted
    .filter((w) => !kept.some((t) => t.key === w.key && t.effect === w.effect))
    .map((w) => (w.effect === 'NoExecute' ? { key: w.key, effect: w.effect, timeAdded: rfc3339(now) } : { key: w.key, effect: w.effect }));
  if (added.length === 0 && kept.length === current.length) return undefined;
  return [...kept, ...added];
}

export interface EvictionPlan {
  /** Pods that must go now (normal delete). */
  evict: Pod[];
  /** Pods already being deleted whose grace period passed on a node that is not Ready (delete with grace 0). */
  forceDelete: Pod[];
  /** Running pods on a not-Ready node whose Ready condition is still True. */
  markNotReady: Pod[];
  /** When to look again (ms from now), if some deadline is pending. */
  recheckMs?: number;
}

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/**
 * What happens to the pods bound to `node` at `now`. `taintedSince` is when the node's NoExecute
 * taints were first seen (tolerationSeconds count from then).
 */
export function planEvictions(node: Node, pods: readonly Pod[], now: number, taintedSince: number): EvictionPlan {
  const plan: EvictionPlan = { evict: [], forceDelete: [], markNotReady: [] };
  const noExecute = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
  const notReady = readyStatus(node) !== 'True';
  const later = (ms: number) => {
    plan.recheckMs = plan.recheckMs === undefined ? ms : Math.min(plan.recheckMs, ms);
  };
  for (const pod of pods) {
    if (isTerminal(pod)) continue;
    const dt = pod.metadata.deletionTimestamp;
    if (dt) {
      if (!notReady) continue;
      const at = Date.parse(dt);
      if (Number.isNaN(at) || at <= now) plan.forceDelete.push(pod);
      else later(at - now);
      continue;
    }
    if (notReady && pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) plan.markNotReady.push(pod);
    if (noExecute.length === 0) continue;
    const tol = noExecuteTolerance(noExecute, pod.spec?.tolerations);
    if (tol === 'never') continue;
    if (tol === 'now') {
      plan.evict.push(pod);
      continue;
    }
    const due = taintedSince + tol * 1000;
    if (due <= now) plan.evict.push(pod);
    else later(due - now);
  }
  return plan;
}

/** The latest timeAdded among the node's NoExecute taints (ms), if any carries one. */
export function noExecuteTaintedAt(node: Node): number | undefined {
  let at: number | undefined;
  for (const t of node.spec?.taints ?? []) {
    if (t.effect !== 'NoExecute' || !t.timeAdded) continue;
    const ms = Date.parse(t.timeAdded);
    if (!Number.isNaN(ms)) at = at === undefined ? ms : Math.max(at, ms);
  }
  return at;
}
