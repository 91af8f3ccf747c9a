// The runner: builds a profile's plugins from the registry and runs each extension point in order.
// Filter stops at the first failing plugin for a node (its status is what the node reports).

import type { CycleState } from './cycle-state.js';
import {
  isBind,
  isFilter,
  isPostBind,
  isPostFilter,
  isPreFilter,
  isPreScore,
  isReserve,
  isScore,
  type BindPlugin,
  type Diagnosis,
  type FilterPlugin,
  type Handle,
  type Plugin,
  type PostBindPlugin,
  type PostFilterPlugin,
  type PostFilterResult,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ReservePlugin,
  type ScorePlugin,
} from './interfaces.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Registry } from './registry.js';
import type { Snapshot } from './snapshot.js';
import { errorStatus, type Result, type Status } from './status.js';

interface ProfilePlugin {
  name: string;
  weight?: number;
  args?: Record<string, unknown>;
}
export interface Profile {
  schedulerName: string;
  plugins: ProfilePlugin[];
}

export interface Framework {
  readonly profile: Profile;
  readonly plugins: readonly Plugin[];
  /** Runs every PreFilter; on success the Filter plugins to run this cycle are stored in `state`. */
  runPreFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Result;
  runFilter(state: CycleState, pod: PodInfo, node: NodeInfo): Result;
  /** The first nomination or message wins; every plugin's explanation is kept, in profile order. */
  runPostFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot, d: Diagnosis): PostFilterResult | undefined;
  runPreScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Result;
  /** Weighted sum of normalised scores, one per node. */
  runScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Float64Array;
  runReserve(state: CycleState, pod: PodInfo, nodeName: string): Result;
  runUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
  runBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Result>;
  runPostBind(state: CycleState, pod: PodInfo, nodeName: string): void;
}

const FILTERS_KEY = 'framework/filters';

const tag = (s: Status, plugin: string): Status => (s.plugin === plugin || Object.isFrozen(s) ? s : Object.assign(s, { plugin }));

export function createFramework(registry: Registry, profile: Profile, handle: Handle): Framework {
  const plugins = profile.plugins.map((p) => registry.build(p.name, handle, p.args));
  const weights = new Map(profile.plugins.map((p) => [p.name, p.weight ?? 1]));
  const preFilters = plugins.filter(isPreFilter) as PreFilterPlugin[];
  const filters = plugins.filter(isFilter) as FilterPlugin[];
  const postFilters = plugins.filter(isPostFilter) as PostFilterPlugin[];
  const preScores = plugins.filter(isPreScore) as PreScorePlugin[];
  const scores = (plugins.filter(isScore) as ScorePlugin[]).filter((p) => (weights.get(p.name) ?? 1) > 0);
  const reserves = plugins.filter(isReserve) as ReservePlugin[];
  const binders = plugins.filter(isBind) as BindPlugin[];
  const postBinds = plugins.filter(isPostBind) as PostBindPlugin[];

  const fw: Framework = {
    profile,
    plugins,
    runPreFilter(state, pod, snapshot) {
      for (const p of preFilters) {
        const s = p.preFilter(state, pod, snapshot);
        if (!s) continue;
        if (s.code === 'Skip') {
          state.skipFilter.add(p.name);
          continue;
        }
        return tag(s, p.name);
      }
      state.write(FILTERS_KEY, state.skipFilter.size ? filters.filter((f) => !state.skipFilter.has(f.name)) : filters);
      return undefined;
    },
    runFilter(state, pod, node) {
      const list = state.read<FilterPlugin[]>(FILTERS_KEY) ?? filters;
      for (let i = 0; i < list.length; i++) {
        const p = list[i] as FilterPlugin;
        const s = p.filter(state, pod, node);
        if (s && s.code !== 'Skip') return tag(s, p.name);
      }
      return undefined;
    },
    runPostFilter(state, pod, snapshot, d) {
      let out: PostFilterResult | undefined;
      const explanations: string[] = [];
      for (const p of postFilters) {
        const r = p.postFilter(state, pod, snapshot, d);
        if (r.explanation) explanations.push(r.explanation);
        if (!out && (r.nominatedNodeName !== undefined || r.message)) out = { ...r };
      }
      if (explanations.length === 0) return out;
      return { ...out, explanation: explanations.join(' ') };
    },
    runPreScore(state, pod, nodes) {
      for (const p of preScores) {
        const s = p.preScore(state, pod, nodes);
        if (!s) continue;
        if (s.code === 'Skip') {
          state.skipScore.add(p.name);
          continue;
        }
        return tag(s, p.name);
      }
      return undefined;
    },
    runScore(state, pod, nodes) {
      const total = new Float64Array(nodes.length);
      const buf = new Float64Array(nodes.length);
      for (const p of scores) {
        if (state.skipScore.has(p.name)) continue;
        for (let i = 0; i < nodes.length; i++) buf[i] = p.score(state, pod, nodes[i] as NodeInfo);
        p.normalizeScore?.(state, pod, nodes, buf);
        const w = weights.get(p.name) ?? 1;
        for (let i = 0; i < nodes.length; i++) total[i] = (total[i] ?? 0) + (buf[i] ?? 0) * w;
      }
      return total;
    },
    runReserve(state, pod, nodeName) {
      for (let i = 0; i < reserves.length; i++) {
        const p = reserves[i] as ReservePlugin;
        const s = p.reserve(state, pod, nodeName);
        if (s) {
          for (let j = i; j >= 0; j--) (reserves[j] as ReservePlugin).unreserve(state, pod, nodeName);
          return tag(s, p.name);
        }
      }
      return undefined;
    },
    runUnreserve(state, pod, nodeName) {
      for (let j = reserves.length - 1; j >= 0; j--) (reserves[j] as ReservePlugin).unreserve(state, pod, nodeName);
    },
    async runBind(state, pod, nodeName) {
      for (const b of binders) {
        const s = await b.bind(state, pod, nodeName);
        if (s && s.code === 'Skip') continue;
        return s ? tag(s, b.name) : undefined;
      }
      return errorStatus('no bind plugin bound the pod');
    },
    runPostBind(state, pod, nodeName) {
      for (const p of postBinds) p.postBind(state, pod, nodeName);
    },
  };
  handle.runFilter ??= (state, pod, node) => fw.runFilter(state, pod, node);
  return fw;
}
