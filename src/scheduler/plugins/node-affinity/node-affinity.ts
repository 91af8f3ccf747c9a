// NodeAffinity: spec.nodeSelector and required node affinity terms must match the node; preferred
// terms add their weights to the score.

import {
  compileTerm,
  matchesRequired,
  requiredNodeAffinity,
  termMatches,
  type CompiledTerm,
  type RequiredNodeAffinity,
} from '../../../api/scheduling/node-affinity.js';
import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interfaces.js';
import { defaultNormalizeScore } from '../../framework/normalize.js';
import { fixed, SKIP } from '../../framework/status.js';

export const NAME = 'NodeAffinity';
export const REASON = "node(s) didn't match Pod's node affinity/selector";
const REJECT = fixed('UnschedulableAndUnresolvable', REASON);
const KEY = `${NAME}/required`;
const PREF_KEY = `${NAME}/preferred`;

const hasSelector = (r: RequiredNodeAffinity) => r.nodeSelector !== undefined && Object.keys(r.nodeSelector).length > 0;

interface Weighted {
  weight: number;
  term: CompiledTerm;
}

export function create(): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name: NAME,
    preFilter(state, pod) {
      const r = requiredNodeAffinity(pod.pod.spec);
      if (!hasSelector(r) && !r.terms) return SKIP;
      state.write(KEY, r);
      return undefined;
    },
    filter(state, pod, node) {
      const r = state.read<RequiredNodeAffinity>(KEY) ?? requiredNodeAffinity(pod.pod.spec);
      return matchesRequired(r, node.labels, node.name) ? undefined : REJECT;
    },
    preScore(state, pod) {
      const prefs = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
      const list: Weighted[] = prefs.filter((p) => p.weight !== 0).map((p) => ({ weight: p.weight, term: compileTerm(p.preference) }));
      if (list.length === 0) return SKIP;
      state.write(PREF_KEY, list);
      return undefined;
    },
    score(state, _pod, node) {
      const list = state.read<Weighted[]>(PREF_KEY) ?? [];
      let s = 0;
      for (const w of list) if (termMatches(w.term, node.labels, node.name)) s += w.weight;
      return s;
    },
    normalizeScore(_s, _p, _n, scores) {
      defaultNormalizeScore(scores, false);
    },
  };
}
