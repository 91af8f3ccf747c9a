// Plugin interfaces: tiny and optional, as in kube-scheduler's framework. A plugin implements the
// extension points it cares about; the runner finds them by shape (so a helper method that happens
// to be called `score` or `filter` would be run as one). Unreserve runs in reverse order, also for
// the plugin whose Reserve failed, so it must be idempotent.

import type { RestClient } from '../../client/rest-client.js';
import type { Logger } from '../../base/log.js';
import type { PersistentVolume, PersistentVolumeClaim, Pod, PodDisruptionBudget, RuntimeClass, StorageClass } from '../../api/gen/types.js';
import type { PodImageFacts } from '../image-facts/pod-image-facts.js';
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
  /** The node made room on for the pod; '' clears an earlier nomination; absent leaves it. */
  nominatedNodeName?: string;
  message?: string;
  /** Plain words on why the pod fits nowhere and what would fix it: follows the upstream summary. */
  explanation?: string;
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
/** After a successful binding: informational (events); nothing waits for it. */
export interface PostBindPlugin extends Plugin {
  postBind(state: CycleState, pod: PodInfo, nodeName: string): void;
}

export const MAX_NODE_SCORE = 100;

/** What a plugin factory may use. */
export interface Handle {
  client?: RestClient;
  runtimeClass(name: string): RuntimeClass | undefined;
  /** The platforms of a pod's images, never waiting; absent when the scheduler has no image facts source. */
  imageFacts?: PodImageFacts;
  /** An event about a pod, under the scheduler's event rate limit (dropped when over it). */
  event?(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void;
  now?(): number;
  log?: Logger;
  /** Every PodDisruptionBudget (preemption prefers victims that keep them). */
  podDisruptionBudgets?(): readonly PodDisruptionBudget[];
  /** The profile's Filter plugins on one node (set by the framework once built; PostFilter plugins try nodes with it). */
  runFilter?(state: CycleState, pod: PodInfo, node: NodeInfo): Result;
  /** The scheduler's caches of claims, volumes and classes (absent: pods with claims are not checked). */
  volumes?: VolumeLookup;
}

/** Reads of the storage objects a pod's claims lead to, from the scheduler's informers. */
export interface VolumeLookup {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  volumes(): PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
}

export type PluginFactory = (args: Record<string, unknown>, handle: Handle) => Plugin;

export const isPreFilter = (p: Plugin): p is PreFilterPlugin => typeof (p as Partial<PreFilterPlugin>).preFilter === 'function';
export const isFilter = (p: Plugin): p is FilterPlugin => typeof (p as Partial<FilterPlugin>).filter === 'function';
export const isPostFilter = (p: Plugin): p is PostFilterPlugin => typeof (p as Partial<PostFilterPlugin>).postFilter === 'function';
export const isPreScore = (p: Plugin): p is PreScorePlugin => typeof (p as Partial<PreScorePlugin>).preScore === 'function';
export const isScore = (p: Plugin): p is ScorePlugin => typeof (p as Partial<ScorePlugin>).score === 'function';
export const isReserve = (p: Plugin): p is ReservePlugin => typeof (p as Partial<ReservePlugin>).reserve === 'function';
export const isBind = (p: Plugin): p is BindPlugin => typeof (p as Partial<BindPlugin>).bind === 'function';
export const isPostBind = (p: Plugin): p is PostBindPlugin => typeof (p as Partial<PostBindPlugin>).postBind === 'function';
