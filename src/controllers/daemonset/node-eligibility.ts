// Which nodes a DaemonSet's pods belong on: the template's nodeSelector and required node affinity
// must match the node, and the node's NoSchedule/NoExecute taints must be tolerated by the
// template's tolerations plus the ones every daemon pod gets automatically.

import { OS_LABEL, podOS } from '../../api/kinds/core/pod/os.js';
import type { Node } from '../../api/kinds/core/node.js';
import type { PodSpec, Toleration } from '../../api/kinds/core/pod/types.js';
import {
  TAINT_DISK_PRESSURE, TAINT_MEMORY_PRESSURE, TAINT_NETWORK_UNAVAILABLE, TAINT_NOT_READY, TAINT_PID_PRESSURE, TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE, untoleratedTaint,
} from '../node-lifecycle/taints.js';

export interface NodeSelectorRequirement { key?: string; operator?: string; values?: string[] }
export interface NodeSelectorTerm { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }
export interface NodeAffinity { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] }; [k: string]: unknown }

/** Tolerations every daemon pod carries (upstream's automatic set). */
export function daemonTolerations(spec: PodSpec | undefined): Toleration[] {
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
  const extra = daemonTolerations(spec).filter((d) => !own.some((t) => t.key === d.key && t.effect === d.effect && (t.operator ?? 'Equal') === 'Exists'));
  return [...own, ...extra];
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const a = Number.parseInt(value, 10), b = Number.parseInt(values[0] ?? '', 10);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default: return false;
  }
}

/** One term: all expressions (labels) and fields (metadata.name) must match; an empty term matches nothing. */
export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [], fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  if (!exprs.every((r) => requirementMatches(r, r.key !== undefined ? labels[r.key] : undefined))) return false;
  return fields.every((r) => requirementMatches(r, r.key === 'metadata.name' ? node.metadata.name : undefined));
}

/** nodeSelector and required node affinity of the pod spec match the node. */
export function nodeMatchesPodSpec(spec: PodSpec | undefined, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  // a daemon pod runs only on nodes of its OS (a DaemonSet with no OS hint is a Linux one)
  const os = podOS(spec as Parameters<typeof podOS>[0]);
  if (os && (labels[OS_LABEL] ?? 'linux') !== os) return false;
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const affinity = (spec?.['affinity'] as { nodeAffinity?: NodeAffinity } | undefined)?.nodeAffinity;
  const terms = affinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms === undefined) return true;
  return terms.some((t) => termMatches(t, node));
}

export interface Eligibility {
  /** A daemon pod should run on the node (create one if missing). */
  shouldRun: boolean;
  /** An existing daemon pod may stay (only NoExecute taints and selectors evict it). */
  shouldContinueRunning: boolean;
}

export function daemonEligibility(spec: PodSpec | undefined, node: Node): Eligibility {
  if (!nodeMatchesPodSpec(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = withDaemonTolerations(spec);
  const taints = node.spec?.taints;
  if (untoleratedTaint(taints, tolerations, ['NoExecute'])) return { shouldRun: false, shouldContinueRunning: false };
  if (untoleratedTaint(taints, tolerations, ['NoSchedule'])) return { shouldRun: false, shouldContinueRunning: true };
  return { shouldRun: true, shouldContinueRunning: true };
}

/** The required node affinity of a daemon pod for one node: its terms replaced by `metadata.name In [node]`. */
export function pinToNode(spec: PodSpec | undefined, nodeName: string): Record<string, unknown> {
  const affinity = { ...((spec?.['affinity'] as Record<string, unknown> | undefined) ?? {}) };
  const nodeAffinity = { ...((affinity['nodeAffinity'] as Record<string, unknown> | undefined) ?? {}) };
  nodeAffinity['requiredDuringSchedulingIgnoredDuringExecution'] = {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
  };
  affinity['nodeAffinity'] = nodeAffinity;
  return affinity;
}

/** The node a daemon pod is for: its spec.nodeName, else the node its affinity pins it to. */
export function daemonPodNode(spec: PodSpec | undefined): string | undefined {
  if (spec?.nodeName) return spec.nodeName;
  const terms = (spec?.['affinity'] as { nodeAffinity?: NodeAffinity } | undefined)?.nodeAffinity
    ?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) {
    for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}
