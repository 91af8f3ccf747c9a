// NodeAffinity: spec.nodeSelector and required node affinity terms must match the node; preferred
// terms add their weights to the score.

import { podSpec } from '../../framework/api-types.js';
import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interfaces.js';
import { anyTermMatches, compileTerm, selectorMapMatches, termMatchesNode, type CompiledTerm } from '../../framework/node-selector.js';
import { defaultNormalizeScore } from '../../framework/normalize.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { fixed, SKIP } from '../../framework/status.js';

export const NAME = 'NodeAffinity';
export const REASON = "node(s) didn't match Pod's node affinity/selector";
const REJECT = fixed('UnschedulableAndUnresolvable', REASON);
const KEY = `${NAME}/required`;
const PREF_KEY = `${NAME}/preferred`;

export interface RequiredNodeAffinity { selector: Readonly<Record<string, string>> | undefined; terms: CompiledTerm[] | undefined }

/** The pod's nodeSelector and required terms, compiled once. */
export function requiredNodeAffinity(pod: PodInfo): RequiredNodeAffinity {
  const spec = podSpec(pod.pod);
  const sel = spec.nodeSelector && Object.keys(spec.nodeSelector).length ? spec.nodeSelector : undefined;
  const req = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return { selector: sel, terms: req ? (req.nodeSelectorTerms ?? []).map(compileTerm) : undefined };
}

export function matchesRequired(r: RequiredNodeAffinity, node: NodeInfo): boolean {
  if (r.selector && !selectorMapMatches(r.selector, node.labels)) return false;
  if (r.terms && !anyTermMatches(r.terms, node.labels, node.name)) return false;
  return true;
}

interface Weighted { weight: number; term: CompiledTerm }

export function create(): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name: NAME,
    preFilter(state, pod) {
      const r = requiredNodeAffinity(pod);
      if (!r.selector && !r.terms) return SKIP;
      state.write(KEY, r);
      return undefined;
    },
    filter(state, pod, node) {
      const r = state.read<RequiredNodeAffinity>(KEY) ?? requiredNodeAffinity(pod);
      return matchesRequired(r, node) ? undefined : REJECT;
    },
    preScore(state, pod) {
      const prefs = podSpec(pod.pod).affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
      const list: Weighted[] = prefs.filter((p) => p.preference && (p.weight ?? 0) !== 0)
        .map((p) => ({ weight: p.weight ?? 0, term: compileTerm(p.preference ?? {}) }));
      if (list.length === 0) return SKIP;
      state.write(PREF_KEY, list);
      return undefined;
    },
    score(state, _pod, node) {
      const list = state.read<Weighted[]>(PREF_KEY) ?? [];
      let s = 0;
      for (const w of list) if (termMatchesNode(w.term, node.labels, node.name)) s += w.weight;
      return s;
    },
    normalizeScore(_s, _p, _n, scores) { defaultNormalizeScore(scores, false); },
  };
}
