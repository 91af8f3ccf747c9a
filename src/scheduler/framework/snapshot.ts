// The view of the cluster a scheduling cycle works on. The scheduler's cache implements it directly:
// a cycle runs synchronously, so nothing changes under it.

import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';

export interface Snapshot {
  /** Every node, in a stable order (the round-robin search walks it). */
  nodes(): readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** Nodes hosting at least one pod with required anti-affinity terms. */
  nodesWithRequiredAntiAffinityPods(): readonly NodeInfo[];
  /** Nodes hosting at least one pod with any pod (anti-)affinity terms. */
  nodesWithAffinityPods(): readonly NodeInfo[];
  /** Pods nominated to the node by preemption and not bound yet (their room is kept for them). */
  nominatedPods?(node: string): readonly PodInfo[];
}

/** A snapshot over a fixed list of NodeInfos: for tests and one-off use. */
export function createStaticSnapshot(list: NodeInfo[]): Snapshot {
  const byName = new Map(list.map((n) => [n.name, n]));
  return {
    nodes: () => list,
    get: (name) => byName.get(name),
    nodesWithRequiredAntiAffinityPods: () => list.filter((n) => n.podsWithRequiredAntiAffinity > 0),
    nodesWithAffinityPods: () => list.filter((n) => n.podsWithAffinity > 0),
  };
}
