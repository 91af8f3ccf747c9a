// NodeResourcesFit: the pod's requests (containers, init containers, overhead) must fit in the node's
// allocatable minus what its pods request; the pod count must stay within allocatable pods.
// Scores with LeastAllocated: the share of cpu and memory left free after placing the pod.

import type { FilterPlugin, ScorePlugin } from '../../framework/interfaces.js';
import { MAX_NODE_SCORE } from '../../framework/interfaces.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { fixed, unschedulable, type Result, type Status } from '../../framework/status.js';

export const NAME = 'NodeResourcesFit';

const TOO_MANY_PODS = fixed('Unschedulable', 'Too many pods');
const INSUFFICIENT_CPU = fixed('Unschedulable', 'Insufficient cpu');
const INSUFFICIENT_MEMORY = fixed('Unschedulable', 'Insufficient memory');

/** The reasons a pod does not fit; empty when it does. */
export function insufficientResources(pod: PodInfo, node: NodeInfo): string[] {
  const out: string[] = [];
  if (node.pods.size + 1 > node.allowedPodNumber) out.push('Too many pods');
  const r = pod.requests;
  const a = node.allocatable;
  const u = node.requested;
  if (r.milliCPU > 0 && r.milliCPU > a.milliCPU - u.milliCPU) out.push('Insufficient cpu');
  if (r.memory > 0 && r.memory > a.memory - u.memory) out.push('Insufficient memory');
  if (r.ephemeralStorage > 0 && r.ephemeralStorage > a.ephemeralStorage - u.ephemeralStorage) out.push('Insufficient ephemeral-storage');
  for (const [k, v] of r.scalar) {
    if (v > 0 && v > (a.scalar.get(k) ?? 0) - (u.scalar.get(k) ?? 0)) out.push(`Insufficient ${k}`);
  }
  return out;
}

function fitStatus(pod: PodInfo, node: NodeInfo): Result {
  const r = pod.requests;
  const a = node.allocatable;
  const u = node.requested;
  // fast path: the common single-reason answers reuse frozen statuses
  const tooMany = node.pods.size + 1 > node.allowedPodNumber;
  const cpu = r.milliCPU > 0 && r.milliCPU > a.milliCPU - u.milliCPU;
  const mem = r.memory > 0 && r.memory > a.memory - u.memory;
  const other = r.ephemeralStorage > 0 || r.scalar.size > 0;
  if (!tooMany && !cpu && !mem && !other) return undefined;
  if (!other) {
    if (tooMany && !cpu && !mem) return TOO_MANY_PODS;
    if (cpu && !tooMany && !mem) return INSUFFICIENT_CPU;
    if (mem && !tooMany && !cpu) return INSUFFICIENT_MEMORY;
  }
  const reasons = insufficientResources(pod, node);
  return reasons.length ? unschedulable(...reasons) : undefined;
}

/** Free share after placing the pod, 0..100, for one resource. */
function leastAllocated(requested: number, capacity: number): number {
  if (capacity <= 0 || requested > capacity) return 0;
  return ((capacity - requested) * MAX_NODE_SCORE) / capacity;
}

export function leastAllocatedScore(pod: PodInfo, node: NodeInfo): number {
  const cpu = leastAllocated(node.nonZeroRequested.milliCPU + pod.nonZero.milliCPU, node.allocatable.milliCPU);
  const mem = leastAllocated(node.nonZeroRequested.memory + pod.nonZero.memory, node.allocatable.memory);
  return Math.floor((cpu + mem) / 2);
}

export function create(): FilterPlugin & ScorePlugin {
  return {
    name: NAME,
    filter(_state, pod, node): Status | undefined {
      return fitStatus(pod, node);
    },
    score(_state, pod, node) {
      return leastAllocatedScore(pod, node);
    },
  };
}
