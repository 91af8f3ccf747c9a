// Plugin interfaces: tiny and optional, as in kube-scheduler's framework. A plugin implements the
// extension points it cares about; the runner finds them by shape.

import type { RestClient } from '../../client/rest-client.js';
import type { RuntimeClass } from '../../api/gen/types.js';
import type { CycleState } from './cycle-state.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Snapshot } from './snapshot.js';
import type { Result, Status } from './status.js';

export interface Plugin {
  readonly name: string;
}

export interface PreFilterPlugin extends Plugin {
  /** Runs once per attempt; a rejection fails the pod on every node, Skip skips this plugin's Filter. */
  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Result;
}
export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Result;
}
export interface Diagnosis {
  /** The first failing status of each node examined. */
  nodeToStatus: Map<string, Status>;
  /** Set when a PreFilter rejected the pod. */
  preFilterMsg?: string;
  unschedulablePlugins: Set<string>;
}
export interface PostFilterResult {
  nominatedNodeName?: string;
  message?: string;
}
export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot, diagnosis: Diagnosis): PostFilterResult;
}
export interface PreScorePlugin extends Plugin {
  /** Skip skips this plugin's Score for the attempt. */
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Result;
}
export interface ScorePlugin extends Plugin {
  /** 0..100 before normalisation. */
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Rewrites `scores` (one per node, same order as `nodes`) into 0..100. */
  normalizeScore?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: Float64Array): void;
}
export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Result;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}
export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Result>;
}

export const MAX_NODE_SCORE = 100;

/** What a plugin factory may use. */
export interface Handle {
  client?: RestClient;
  runtimeClass(name: string): RuntimeClass | undefined;
}

export type PluginFactory = (args: Record<string, unknown>, handle: Handle) => Plugin;

export const isPreFilter = (p: Plugin): p is PreFilterPlugin => typeof (p as Partial<PreFilterPlugin>).preFilter === 'function';
export const isFilter = (p: Plugin): p is FilterPlugin => typeof (p as Partial<FilterPlugin>).filter === 'function';
export const isPostFilter = (p: Plugin): p is PostFilterPlugin => typeof (p as Partial<PostFilterPlugin>).postFilter === 'function';
export const isPreScore = (p: Plugin): p is PreScorePlugin => typeof (p as Partial<PreScorePlugin>).preScore === 'function';
export const isScore = (p: Plugin): p is ScorePlugin => typeof (p as Partial<ScorePlugin>).score === 'function';
export const isReserve = (p: Plugin): p is ReservePlugin => typeof (p as Partial<ReservePlugin>).reserve === 'function';
export const isBind = (p: Plugin): p is BindPlugin => typeof (p as Partial<BindPlugin>).bind === 'function';
