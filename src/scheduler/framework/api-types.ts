// The scheduling-relevant parts of Pod, Node and RuntimeClass that the shared API types leave open.

import type { Pod, PodSpec, Toleration } from '../../api/kinds/core/pod/types.js';
import type { Node, NodeStatus } from '../../api/kinds/core/node.js';
import type { LabelSelector } from '../../base/label-selector.js';

export type { Pod, Toleration, Node };
export type { Taint } from '../../api/kinds/core/node.js';
export type { RuntimeClass } from '../../api/kinds/node/runtime-class.js';

export interface NodeSelectorRequirement { key: string; operator: string; values?: string[] }
export interface NodeSelectorTerm { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }
export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
  preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight?: number; preference?: NodeSelectorTerm }>;
}
export interface PodAffinityTerm {
  labelSelector?: LabelSelector | null;
  namespaces?: string[];
  namespaceSelector?: LabelSelector | null;
  topologyKey: string;
}
export interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight?: number; podAffinityTerm?: PodAffinityTerm }>;
}
export interface Affinity { nodeAffinity?: NodeAffinity; podAffinity?: PodAffinity; podAntiAffinity?: PodAffinity }
export interface TopologySpreadConstraint {
  maxSkew?: number;
  topologyKey?: string;
  whenUnsatisfiable?: string;
  labelSelector?: LabelSelector | null;
  minDomains?: number;
  nodeAffinityPolicy?: string;
  nodeTaintsPolicy?: string;
}

export interface SchedPodSpec extends PodSpec {
  affinity?: Affinity;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  overhead?: Record<string, string>;
}

export interface SchedNodeStatus extends NodeStatus {
  runtimeHandlers?: Array<{ name?: string }>;
}

export const podSpec = (pod: Pod): SchedPodSpec => (pod.spec ?? {}) as SchedPodSpec;
export const nodeStatus = (node: Node): SchedNodeStatus => (node.status ?? {}) as SchedNodeStatus;

export const OS_LABEL = 'kubernetes.io/os';
export const UNSCHEDULABLE_TAINT_KEY = 'node.kubernetes.io/unschedulable';
