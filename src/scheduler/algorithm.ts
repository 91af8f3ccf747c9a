// One scheduling attempt, synchronously: PreFilter, then Filter over the nodes starting after where
// the previous attempt stopped (round-robin) until enough feasible nodes are found, then PreScore,
// Score and the pick of the best node (ties broken at random). No I/O: binding is the caller's.

import { createCycleState, type CycleState } from './framework/cycle-state.js';
import { fitErrorMessage } from './framework/fit-error.js';
import type { Framework } from './framework/framework.js';
import type { Diagnosis } from './framework/interfaces.js';
import { addPod, cloneNodeInfo, type NodeInfo } from './framework/node-info.js';
import { numFeasibleNodesToFind } from './framework/percentage.js';
import type { PodInfo } from './framework/pod-info.js';
import type { Snapshot } from './framework/snapshot.js';
import type { Status } from './framework/status.js';

type ScheduleOutcome =
  | { kind: 'scheduled'; nodeName: string; state: CycleState; evaluatedNodes: number; feasibleNodes: number }
  /**
   * `nominatedNodeName`: a PostFilter (preemption) made room there and the pod waits for it; ''
   * clears an earlier nomination (preemption found nothing); absent leaves it as it is
   */
  | { kind: 'unschedulable'; message: string; diagnosis: Diagnosis; state: CycleState; nominatedNodeName?: string }
  /** A PreFilter is waiting for an external event (e.g. an image's platforms): park the pod until it comes. */
  | { kind: 'pending'; reason: string; message: string; plugin?: string; state: CycleState }
  | { kind: 'error'; message: string; state: CycleState };

export interface AlgorithmOptions {
  percentageOfNodesToScore?: number;
  /** Random source in [0,1) for tie-breaking (tests inject one). */
  random?: () => number;
}

export interface Algorithm {
  schedule(pod: PodInfo, snapshot: Snapshot): ScheduleOutcome;
  /** Where the next search starts (round-robin). */
  nextStartNodeIndex(): number;
}

/**
 * The Filter plugins on a node as upstream runs them with nominated pods: pods that preemption
 * nominated to the node, of at least this pod's priority, count as already there (so that a pod
 * cannot take the room made for them); then once more without them, since a pod may depend on them
 * (affinity) and they may never come.
 */
function filterWithNominated(fw: Framework, state: CycleState, pod: PodInfo, node: NodeInfo, snapshot: Snapshot): Status | undefined {
  const nominated = snapshot.nominatedPods?.(node.name);
  if (nominated && nominated.length > 0) {
    const ahead = nominated.filter((p) => p.key !== pod.key && p.priority >= pod.priority);
    if (ahead.length > 0) {
      const copy = cloneNodeInfo(node);
      for (const p of ahead) addPod(copy, p);
      const s = fw.runFilter(state, pod, copy);
      if (s) return s;
    }
  }
  return fw.runFilter(state, pod, node);
}

export function createAlgorithm(fw: Framework, o: AlgorithmOptions = {}): Algorithm {
  const random = o.random ?? Math.random;
  let nextStart = 0;

  function selectHost(nodes: readonly NodeInfo[], scores: Float64Array): string {
    let best = -Infinity;
    let pick = 0;
    let ties = 0;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i] ?? 0;
      if (s > best) {
        best = s;
        pick = i;
        ties = 1;
      } else if (s === best) {
        ties++;
        if (random() * ties < 1) pick = i; // reservoir sampling among the best
      }
    }
    return (nodes[pick] as NodeInfo).name;
  }

  return {
    nextStartNodeIndex: () => nextStart,
    schedule(pod, snapshot) {
      const state = createCycleState();
      const all = snapshot.nodes();
      const n = all.length;
      const diagnosis: Diagnosis = { nodeToStatus: new Map(), unschedulablePlugins: new Set() };
      if (n === 0) {
        diagnosis.preFilterMsg = 'no nodes available to schedule pods';
        return { kind: 'unschedulable', message: fitErrorMessage(0, diagnosis), diagnosis, state };
      }
      const pre = fw.runPreFilter(state, pod, snapshot);
      if (pre) {
        if (pre.code === 'Error') return { kind: 'error', message: pre.reasons.join(', '), state };
        if (pre.code === 'Pending')
          return {
            kind: 'pending',
            reason: pre.waitReason ?? 'SchedulingGated',
            message: pre.reasons.join(', '),
            plugin: pre.plugin,
            state,
          };
        diagnosis.preFilterMsg = pre.reasons.join(', ');
        if (pre.plugin) diagnosis.unschedulablePlugins.add(pre.plugin);
        for (const node of all) diagnosis.nodeToStatus.set(node.name, pre);
        const post = fw.runPostFilter(state, pod, snapshot, diagnosis);
        return {
          kind: 'unschedulable',
          message: fitErrorMessage(n, diagnosis, post?.message, post?.explanation),
          diagnosis,
          state,
          ...(post?.nominatedNodeName !== undefined ? { nominatedNodeName: post.nominatedNodeName } : {}),
        };
      }
      const want = numFeasibleNodesToFind(n, o.percentageOfNodesToScore);
      const feasible: NodeInfo[] = [];
      // rejections are kept in plain arrays and turned into the diagnosis only when no node fits:
      // a pod that fits somewhere never pays for a map entry per rejecting node
      const rejectedNodes: NodeInfo[] = [];
      const rejections: Status[] = [];
      let processed = 0;
      const start = nextStart % n;
      for (let i = 0; i < n && feasible.length < want; i++) {
        const node = all[(start + i) % n] as NodeInfo;
        processed++;
        const s: Status | undefined = filterWithNominated(fw, state, pod, node, snapshot);
        if (!s) {
          feasible.push(node);
          continue;
        }
        if (s.code === 'Error') return { kind: 'error', message: `${node.name}: ${s.reasons.join(', ')}`, state };
        rejectedNodes.push(node);
        rejections.push(s);
      }
      nextStart = (start + processed) % n;
      if (feasible.length === 0) {
        for (let i = 0; i < rejections.length; i++) {
          const s = rejections[i] as Status;
          diagnosis.nodeToStatus.set((rejectedNodes[i] as NodeInfo).name, s);
          if (s.plugin) diagnosis.unschedulablePlugins.add(s.plugin);
        }
        const post = fw.runPostFilter(state, pod, snapshot, diagnosis);
        return {
          kind: 'unschedulable',
          message: fitErrorMessage(n, diagnosis, post?.message, post?.explanation),
          diagnosis,
          state,
          ...(post?.nominatedNodeName !== undefined ? { nominatedNodeName: post.nominatedNodeName } : {}),
        };
      }
      if (feasible.length === 1) {
        return { kind: 'scheduled', nodeName: (feasible[0] as NodeInfo).name, state, evaluatedNodes: processed, feasibleNodes: 1 };
      }
      const ps = fw.runPreScore(state, pod, feasible);
      if (ps && ps.code !== 'Skip') return { kind: 'error', message: ps.reasons.join(', '), state };
      const scores = fw.runScore(state, pod, feasible);
      return {
        kind: 'scheduled',
        nodeName: selectHost(feasible, scores),
        state,
        evaluatedNodes: processed,
        feasibleNodes: feasible.length,
      };
    },
  };
}
