// TaintToleration: NoSchedule and NoExecute taints must be tolerated (the pod's tolerations plus
// its RuntimeClass's); scoring prefers nodes with fewer untolerated PreferNoSchedule taints.

import type { Toleration } from '../../../api/gen/types.js';
import type { FilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interfaces.js';
import { defaultNormalizeScore } from '../../framework/normalize.js';
import { unresolvable } from '../../framework/status.js';
import { firstUntolerated, isTolerated } from '../../../api/scheduling/tolerations.js';

export const NAME = 'TaintToleration';
const SOFT_KEY = `${NAME}/preferNoSchedule`;

export const untoleratedReason = (key: string | undefined, value: string | undefined) =>
  `node(s) had untolerated taint {${key ?? ''}: ${value ?? ''}}`;

export function create(): FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name: NAME,
    filter(_state, pod, node) {
      if (node.hardTaints.length === 0) return undefined;
      const t = firstUntolerated(node.hardTaints, pod.tolerations);
      return t ? unresolvable(untoleratedReason(t.key, t.value)) : undefined;
    },
    preScore(state, pod) {
      const soft = pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
      state.write<Toleration[]>(SOFT_KEY, soft);
      return undefined;
    },
    score(state, pod, node) {
      if (node.softTaints.length === 0) return 0;
      const tols = state.read<Toleration[]>(SOFT_KEY) ?? pod.tolerations;
      let n = 0;
      for (const t of node.softTaints) if (!isTolerated(tols, t)) n++;
      return n;
    },
    normalizeScore(_s, _p, _nodes, scores) {
      defaultNormalizeScore(scores, true);
    },
  };
}
