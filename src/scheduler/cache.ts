// The scheduler's cache: a NodeInfo per node with the pods bound (or assumed bound) to it. A pod is
// assumed when its binding starts, confirmed when the informer shows it bound, forgotten when the
// binding fails. It is also the Snapshot a cycle reads (cycles run synchronously).

import type { Node } from '../api/gen/types.js';
import { addPod, createNodeInfo, removePod, setNode, type NodeInfo } from './framework/node-info.js';
import type { PodInfo } from './framework/pod-info.js';
import type { Snapshot } from './framework/snapshot.js';

export interface SchedulerCache extends Snapshot {
  upsertNode(node: Node): void;
  removeNode(name: string): void;
  /** A pod seen bound to `nodeName` (confirms an assumed pod). */
  addPod(pi: PodInfo, nodeName: string): void;
  removePod(key: string): void;
  assumePod(pi: PodInfo, nodeName: string): void;
  /** Drops an assumed pod (binding failed). */
  forgetPod(key: string): void;
  isAssumed(key: string): boolean;
  /** Records the node preemption nominated an unbound pod to. */
  nominate(pi: PodInfo, node: string): void;
  /** Forgets a pod's nomination (bound, gone, or no longer nominated). */
  unnominate(key: string): void;
  nodeCount(): number;
  podCount(): number;
  assumedCount(): number;
}

export function createSchedulerCache(): SchedulerCache {
  const infos = new Map<string, NodeInfo>();
  const list: NodeInfo[] = [];
  const indexOf = new Map<string, number>();
  const podNode = new Map<string, string>();
  const assumed = new Set<string>();
  let affinityVersion = 0;
  let antiCache: { v: number; nodes: NodeInfo[] } = { v: -1, nodes: [] };
  let affCache: { v: number; nodes: NodeInfo[] } = { v: -1, nodes: [] };
  const nominatedTo = new Map<string, string>();
  const nominatedOn = new Map<string, Map<string, PodInfo>>();

  function unnominate(key: string): void {
    const prev = nominatedTo.get(key);
    if (prev === undefined) return;
    nominatedTo.delete(key);
    const m = nominatedOn.get(prev);
    m?.delete(key);
    if (m?.size === 0) nominatedOn.delete(prev);
  }

  const placeholder = (name: string): NodeInfo => createNodeInfo({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
  const hasAffinity = (pi: PodInfo) =>
    pi.requiredAffinity.length + pi.requiredAntiAffinity.length + pi.preferredAffinity.length + pi.preferredAntiAffinity.length > 0;

  function place(pi: PodInfo, nodeName: string): void {
    const prev = podNode.get(pi.key);
    if (prev !== undefined && prev !== nodeName) {
      const old = infos.get(prev);
      if (old) removePod(old, pi.key);
    }
    let ni = infos.get(nodeName);
    if (!ni) {
      ni = placeholder(nodeName);
      infos.set(nodeName, ni);
    }
    const old = ni.pods.get(pi.key);
    if ((old && hasAffinity(old)) || hasAffinity(pi)) affinityVersion++;
    addPod(ni, pi);
    podNode.set(pi.key, nodeName);
  }

  function unplace(key: string): void {
    const n = podNode.get(key);
    if (n === undefined) return;
    podNode.delete(key);
    const ni = infos.get(n);
    const pi = ni ? removePod(ni, key) : undefined;
    if (pi && hasAffinity(pi)) affinityVersion++;
  }

  return {
    nodes: () => list,
    get: (name) => (indexOf.has(name) ? infos.get(name) : undefined),
    nodesWithRequiredAntiAffinityPods() {
      if (antiCache.v !== affinityVersion)
        antiCache = { v: affinityVersion, nodes: list.filter((n) => n.podsWithRequiredAntiAffinity > 0) };
      return antiCache.nodes;
    },
    nodesWithAffinityPods() {
      if (affCache.v !== affinityVersion) affCache = { v: affinityVersion, nodes: list.filter((n) => n.podsWithAffinity > 0) };
      return affCache.nodes;
    },
    upsertNode(node) {
      const name = node.metadata.name ?? '';
      let ni = infos.get(name);
      if (ni) setNode(ni, node);
      else {
        ni = createNodeInfo(node);
        infos.set(name, ni);
      }
      if (!indexOf.has(name)) {
        indexOf.set(name, list.length);
        list.push(ni);
        affinityVersion++;
      }
    },
    removeNode(name) {
      const i = indexOf.get(name);
      if (i === undefined) return;
      const last = list.pop() as NodeInfo;
      if (last.name !== name) {
        list[i] = last;
        indexOf.set(last.name, i);
      }
      indexOf.delete(name);
      const ni = infos.get(name);
      // pods still bound to a deleted node stay accounted on a placeholder until they go
      if (ni && ni.pods.size > 0) infos.set(name, Object.assign(placeholder(name), { pods: ni.pods }));
      else infos.delete(name);
      affinityVersion++;
    },
    addPod(pi, nodeName) {
      assumed.delete(pi.key);
      place(pi, nodeName);
    },
    removePod(key) {
      assumed.delete(key);
      unplace(key);
    },
    assumePod(pi, nodeName) {
      assumed.add(pi.key);
      place(pi, nodeName);
    },
    forgetPod(key) {
      if (!assumed.delete(key)) return;
      unplace(key);
    },
    isAssumed: (key) => assumed.has(key),
    unnominate,
    nominate(pi, node) {
      unnominate(pi.key);
      nominatedTo.set(pi.key, node);
      let m = nominatedOn.get(node);
      if (!m) nominatedOn.set(node, (m = new Map()));
      m.set(pi.key, pi);
    },
    nominatedPods: (node) => {
      const m = nominatedOn.get(node);
      return m ? [...m.values()] : [];
    },
    nodeCount: () => list.length,
    podCount: () => podNode.size,
    assumedCount: () => assumed.size,
  };
}
