// NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in equal shares
// after placing the pod (score = (1 - standard deviation of the shares) * 100).

import { MAX_NODE_SCORE, type ScorePlugin } from '../../framework/interfaces.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';

export const NAME = 'NodeResourcesBalancedAllocation';

export function balancedScore(pod: PodInfo, node: NodeInfo): number {
  const a = node.allocatable;
  if (a.milliCPU <= 0 || a.memory <= 0) return 0;
  const fc = Math.min(1, (node.nonZeroRequested.milliCPU + pod.nonZero.milliCPU) / a.milliCPU);
  const fm = Math.min(1, (node.nonZeroRequested.memory + pod.nonZero.memory) / a.memory);
  const std = Math.abs(fc - fm) / 2;
  return Math.floor((1 - std) * MAX_NODE_SCORE);
}

export function create(): ScorePlugin {
  return { name: NAME, score: (_s, pod, node) => balancedScore(pod, node) };
}
