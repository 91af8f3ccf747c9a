// PodTopologySpread: pods matching a constraint's selector must stay spread over the values of its
// topology key: placing the pod must not make (count in the node's domain + 1) - (global minimum)
// exceed maxSkew (DoNotSchedule); ScheduleAnyway constraints only steer the score. Domains come from
// the nodes the pod could use (its node affinity/selector honoured, taints ignored, by default);
// minDomains makes the minimum 0 while fewer domains exist.

import type { TopologySpreadConstraint } from '../../../api/gen/types.js';
import { fromLabelSelector } from '../../../api/label-selector.js';
import { matchesRequired, requiredNodeAffinity } from '../../../api/scheduling/node-affinity.js';
import { firstUntolerated } from '../../../api/scheduling/tolerations.js';
import { nothing, type LabelMatcher } from '../../../base/label-selector.js';
import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interfaces.js';
import { MAX_NODE_SCORE } from '../../framework/interfaces.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import type { Snapshot } from '../../framework/snapshot.js';
import { fixed, SKIP } from '../../framework/status.js';
import { spreadCounts } from './spread-counts.js';

export const NAME = 'PodTopologySpread';
export const REASON = "node(s) didn't match pod topology spread constraints";
export const REASON_MISSING_LABEL = `${REASON} (missing required label)`;
const REJECT = fixed('Unschedulable', REASON);
const REJECT_LABEL = fixed('UnschedulableAndUnresolvable', REASON_MISSING_LABEL);
const FILTER_KEY = `${NAME}/filter`;
const SCORE_KEY = `${NAME}/score`;

interface Constraint {
  maxSkew: number;
  key: string;
  matcher: LabelMatcher;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
  selfMatch: number;
}
interface Counted {
  constraints: Constraint[];
  counts: Map<string, number>[];
  mins: number[];
}

function parse(pod: PodInfo, hard: boolean): Constraint[] {
  const list: TopologySpreadConstraint[] = pod.pod.spec?.topologySpreadConstraints ?? [];
  return list
    .filter((c) => (c.whenUnsatisfiable === 'ScheduleAnyway') !== hard && c.topologyKey)
    .map((c) => {
      let matcher: LabelMatcher;
      try {
        matcher = fromLabelSelector(c.labelSelector);
      } catch {
        matcher = nothing();
      }
      return {
        maxSkew: c.maxSkew ?? 1,
        key: c.topologyKey ?? '',
        matcher,
        minDomains: c.minDomains ?? 1,
        honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
        honorTaints: c.nodeTaintsPolicy === 'Honor',
        selfMatch: matcher.matches(pod.labels) ? 1 : 0,
      };
    });
}

function count(pod: PodInfo, constraints: Constraint[], nodes: readonly NodeInfo[]): Counted {
  const affinity = requiredNodeAffinity(pod.pod.spec);
  const honorAffinity = constraints.some((c) => c.honorAffinity);
  const honorTaints = constraints.some((c) => c.honorTaints);
  const spec = pod.pod.spec ?? { containers: [] };
  // everything eligibility and counting depend on, besides the nodes themselves
  const cacheKey = JSON.stringify([
    pod.namespace,
    constraints.map((c) => [c.key, c.matcher.toString()]),
    honorAffinity ? [spec.nodeSelector ?? null, spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null] : null,
    honorTaints ? pod.tolerations : null,
  ]);
  const counts = spreadCounts({
    cacheKey,
    namespace: pod.namespace,
    constraints,
    nodes,
    eligible: (node) =>
      (!honorAffinity || matchesRequired(affinity, node.labels, node.name)) &&
      (!honorTaints || !firstUntolerated(node.hardTaints, pod.tolerations)),
  });
  const mins = constraints.map((c, i) => {
    const m = counts[i] as Map<string, number>;
    if (m.size < c.minDomains) return 0;
    let min = Number.POSITIVE_INFINITY;
    for (const v of m.values()) if (v < min) min = v;
    return Number.isFinite(min) ? min : 0;
  });
  return { constraints, counts, mins };
}

export function create(): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  let snapshot: Snapshot | undefined;
  return {
    name: NAME,
    preFilter(state, pod, snap) {
      snapshot = snap;
      const hard = parse(pod, true);
      if (hard.length === 0) return SKIP;
      state.write<Counted>(FILTER_KEY, count(pod, hard, snap.nodes()));
      return undefined;
    },
    filter(state, _pod, node) {
      const st = state.read<Counted>(FILTER_KEY);
      if (!st) return undefined;
      for (let i = 0; i < st.constraints.length; i++) {
        const c = st.constraints[i] as Constraint;
        const v = node.labels[c.key];
        if (v === undefined) return REJECT_LABEL;
        const matchNum = (st.counts[i] as Map<string, number>).get(v) ?? 0;
        if (matchNum + c.selfMatch - (st.mins[i] ?? 0) > c.maxSkew) return REJECT;
      }
      return undefined;
    },
    preScore(state, pod) {
      const soft = parse(pod, false);
      if (soft.length === 0 || !snapshot) return SKIP;
      state.write<Counted>(SCORE_KEY, count(pod, soft, snapshot.nodes()));
      return undefined;
    },
    score(state, _pod, node) {
      const st = state.read<Counted>(SCORE_KEY);
      if (!st) return 0;
      let s = 0;
      for (let i = 0; i < st.constraints.length; i++) {
        const c = st.constraints[i] as Constraint;
        const v = node.labels[c.key];
        if (v === undefined) return -1; // ignored node: scored 0 after normalisation
        const m = st.counts[i] as Map<string, number>;
        s += ((m.get(v) ?? 0) + c.maxSkew - 1) * Math.log(m.size + 2);
      }
      return s;
    },
    normalizeScore(_s, _p, _n, scores) {
      let min = Number.POSITIVE_INFINITY;
      let max = 0;
      for (const s of scores) {
        if (s < 0) continue;
        if (s < min) min = s;
        if (s > max) max = s;
      }
      for (let i = 0; i < scores.length; i++) {
        const s = scores[i] ?? 0;
        if (s < 0) {
          scores[i] = 0;
          continue;
        }
        scores[i] = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max + min - s)) / max);
      }
    },
  };
}
