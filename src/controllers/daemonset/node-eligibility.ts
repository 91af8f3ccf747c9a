// Which nodes a DaemonSet's pods belong on: the pod's OS, nodeSelector and required node affinity
// must match the node (matched as the scheduler matches them, by api/scheduling/node-affinity.ts),
// and the node's NoSchedule/NoExecute taints must be tolerated by the template's tolerations plus
// the ones every daemon pod gets automatically (the DaemonSet-specific part, kept here).

import type { Affinity, Node, PodSpec, Toleration } from '../../api/gen/types.js';
import { podOS } from '../../api/kinds/core/pod/os.js';
import { matchesRequired, requiredNodeAffinity, type RequiredNodeAffinity } from '../../api/scheduling/node-affinity.js';
import { firstUntolerated } from '../../api/scheduling/tolerations.js';
import {
  LABEL_OS,
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY,
  TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
} from '../../api/well-known.js';

/** Tolerations every daemon pod carries (upstream's automatic set). */
function daemonTolerations(spec: PodSpec | undefined): Toleration[] {
  const out: Toleration[] = [
    { key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_DISK_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_PID_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec?.hostNetwork === true) out.push({ key: TAINT_NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' });
  return out;
}

/** The template's tolerations with the automatic ones added (those already present are not repeated). */
export function withDaemonTolerations(spec: PodSpec | undefined): Toleration[] {
  const own = spec?.tolerations ?? [];
  const extra = daemonTolerations(spec).filter(
    (d) => !own.some((t) => t.key === d.key && t.effect === d.effect && (t.operator ?? 'Equal') === 'Exists'),
  );
  return [...own, ...extra];
}

/**
 * The pod spec's OS, nodeSelector and required node affinity match the node. `affinity` may be
 * passed compiled (once per DaemonSet rather than once per node).
 */
function nodeMatchesPodSpec(spec: PodSpec | undefined, node: Node, affinity: RequiredNodeAffinity = requiredNodeAffinity(spec)): boolean {
  const labels = node.metadata.labels ?? {};
  // a daemon pod runs only on nodes of its OS (a DaemonSet with no OS hint is a Linux one)
  const os = podOS(spec);
  if (os && (labels[LABEL_OS] ?? 'linux') !== os) return false;
  return matchesRequired(affinity, labels, node.metadata.name ?? '');
}

export interface Eligibility {
  /** A daemon pod should run on the node (create one if missing). */
  shouldRun: boolean;
  /** An existing daemon pod may stay (only NoExecute taints and selectors evict it). */
  shouldContinueRunning: boolean;
}

export function daemonEligibility(
  spec: PodSpec | undefined,
  node: Node,
  affinity: RequiredNodeAffinity = requiredNodeAffinity(spec),
): Eligibility {
  if (!nodeMatchesPodSpec(spec, node, affinity)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = withDaemonTolerations(spec);
  const taints = node.spec?.taints;
  if (firstUntolerated(taints, tolerations, ['NoExecute'])) return { shouldRun: false, shouldContinueRunning: false };
  if (firstUntolerated(taints, tolerations, ['NoSchedule'])) return { shouldRun: false, shouldContinueRunning: true };
  return { shouldRun: true, shouldContinueRunning: true };
}

/** The affinity of a daemon pod for one node: the template's, its required terms replaced by `metadata.name In [node]`. */
export function pinToNode(spec: PodSpec | undefined, nodeName: string): Affinity {
  const affinity = spec?.affinity ?? {};
  return {
    ...affinity,
    nodeAffinity: {
      ...(affinity.nodeAffinity ?? {}),
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
      },
    },
  };
}

/** The node a daemon pod is for: its spec.nodeName, else the node its affinity pins it to. */
export function daemonPodNode(spec: PodSpec | undefined): string | undefined {
  if (spec?.nodeName) return spec.nodeName;
  const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) {
    for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}
