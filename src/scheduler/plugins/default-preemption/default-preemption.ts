// DefaultPreemption (PostFilter), as upstream's: a pod that fits nowhere and may preempt
// (preemptionPolicy PreemptLowerPriority) looks for nodes where removing lower-priority pods would
// let it in: the Filter plugins run on a copy of each node without them, the victims are chosen
// minimally (budgets respected where possible), one node is picked, and the pod is nominated to it.
// The victims get the DisruptionTarget condition (PreemptionByScheduler) and a Preempted event and
// are deleted in the background; the pod is scheduled once they are gone (their deletion wakes the
// queue), the room kept for it meanwhile (algorithm.ts counts nominated pods on their node). While
// lower-priority pods on its nominated node are still terminating, a pod does not preempt again;
// when preemption finds nothing, an earlier nomination is cleared. Simplification: the PreFilter
// state of affinity and topology spread is not recomputed for the removed pods.

import { podKind } from '../../../api/kinds/core/pod/pod.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { Diagnosis, Handle, PostFilterPlugin, PostFilterResult } from '../../framework/interfaces.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import type { Snapshot } from '../../framework/snapshot.js';
import { NO_VICTIMS, pickOneNode, selectVictimsOnNode, type Candidate } from './select-victims.js';

export const NAME = 'DefaultPreemption';

/** Upstream's defaults: at least 10% of the nodes, and at least 100, are tried as candidates. */
const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
const MIN_CANDIDATE_NODES_ABSOLUTE = 100;
const SCHEDULER_NAME = 'default-scheduler';

const NOT_HELPFUL = 'Preemption is not helpful for scheduling';

/** `preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.` */
function summary(total: number, counts: ReadonlyMap<string, number>): string {
  const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort();
  return `preemption: 0/${total} nodes are available: ${parts.join(', ')}.`;
}

/** Upstream's PodEligibleToPreemptOthers: why the pod may not preempt, or undefined when it may. */
function notEligible(pod: PodInfo, snapshot: Snapshot): string | undefined {
  if (pod.pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  const nominated = pod.pod.status?.nominatedNodeName;
  if (nominated) {
    const ni = snapshot.get(nominated);
    if (ni)
      for (const pi of ni.pods.values())
        if (pi.terminating && pi.priority < pod.priority) return 'not eligible due to a terminating pod on the nominated node.';
  }
  return undefined;
}

export function create(_args: Record<string, unknown>, handle: Handle): PostFilterPlugin {
  const random = Math.random;
  // the lowest pod priority of each node, kept per node generation: the many pods that fail where
  // nothing lower runs are answered without walking every node's pods each attempt
  const lowest = new WeakMap<NodeInfo, { generation: number; priority: number }>();
  const lowestPriority = (ni: NodeInfo): number => {
    const c = lowest.get(ni);
    if (c && c.generation === ni.generation) return c.priority;
    let priority = Infinity;
    for (const pi of ni.pods.values()) if (pi.priority < priority) priority = pi.priority;
    lowest.set(ni, { generation: ni.generation, priority });
    return priority;
  };

  function preempt(pod: PodInfo, node: string, victims: readonly PodInfo[]): void {
    const client = handle.client;
    if (!client) return;
    const now = new Date(handle.now?.() ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const v of victims) {
      const api = client.resource(podKind).namespace(v.namespace);
      const condition = {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'PreemptionByScheduler',
        message: `${SCHEDULER_NAME}: preempting to accommodate a higher priority pod`,
        lastTransitionTime: now,
      };
      handle.event?.(v.pod, 'Normal', 'Preempted', `Preempted by pod ${pod.pod.metadata.uid ?? pod.key} on node ${node}`);
      void api
        .patchStatus(v.name, { status: { conditions: [condition] } }, 'strategic')
        .catch(() => undefined)
        .then(() => api.delete(v.name, v.pod.metadata.uid ? { preconditions: { uid: v.pod.metadata.uid } } : {}))
        .catch((e: unknown) => handle.log?.warn('preemption victim not deleted', { victim: v.key, preemptor: pod.key, error: String(e) }));
    }
  }

  return {
    name: NAME,
    postFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot, d: Diagnosis): PostFilterResult {
      const total = snapshot.nodes().length;
      const why = notEligible(pod, snapshot);
      if (why) return { message: `preemption: ${why}` };
      const counts = new Map<string, number>();
      const bump = (r: string) => counts.set(r, (counts.get(r) ?? 0) + 1);
      // only nodes that a removal could help: rejected as Unschedulable, not UnschedulableAndUnresolvable
      const potential: NodeInfo[] = [];
      for (const ni of snapshot.nodes()) {
        const s = d.nodeToStatus.get(ni.name);
        if (!d.preFilterMsg && s && s.code === 'Unschedulable') potential.push(ni);
        else bump(NOT_HELPFUL);
      }
      if (potential.length === 0) return { nominatedNodeName: '', message: summary(total, counts) };
      const want = Math.min(
        potential.length,
        Math.max(Math.floor((potential.length * MIN_CANDIDATE_NODES_PERCENTAGE) / 100), MIN_CANDIDATE_NODES_ABSOLUTE),
      );
      const pdbs = handle.podDisruptionBudgets?.() ?? [];
      const filter = (ni: NodeInfo) => handle.runFilter?.(state, pod, ni);
      const candidates: Candidate[] = [];
      const offset = Math.floor(random() * potential.length);
      for (let i = 0; i < potential.length; i++) {
        const ni = potential[(offset + i) % potential.length] as NodeInfo;
        if (candidates.length >= want) break;
        if (lowestPriority(ni) >= pod.priority) {
          bump(NO_VICTIMS);
          continue;
        }
        const r = selectVictimsOnNode(pod, ni, filter, pdbs);
        if ('pods' in r) candidates.push({ node: ni.name, victims: r });
        else for (const reason of r.reasons) bump(reason);
      }
      const best = pickOneNode(candidates);
      if (!best) return { nominatedNodeName: '', message: summary(total, counts) };
      preempt(pod, best.node, best.victims.pods);
      handle.log?.info('preempting', { pod: pod.key, node: best.node, victims: best.victims.pods.map((v) => v.key).join(',') });
      return { nominatedNodeName: best.node, message: '' };
    },
  };
}
