// RuntimeClass scheduling: a pod naming a RuntimeClass needs it to exist, and fits only nodes
// matching the class's scheduling.nodeSelector. (The class's tolerations join the pod's in PodInfo,
// where TaintToleration reads them; upstream does both through admission.)

import type { FilterPlugin, PreFilterPlugin } from '../../framework/interfaces.js';
import { selectorMapMatches } from '../../framework/node-selector.js';
import { SKIP, unresolvable, type Status } from '../../framework/status.js';

export const NAME = 'RuntimeClass';
const KEY = `${NAME}/state`;

interface State { selector: Readonly<Record<string, string>>; reject: Status }

export const notFoundReason = (name: string) => `RuntimeClass "${name}" not found`;
export const selectorReason = (name: string) => `node(s) didn't match the node selector of RuntimeClass "${name}"`;

export function create(): PreFilterPlugin & FilterPlugin {
  return {
    name: NAME,
    preFilter(state, pod) {
      if (!pod.runtimeClassName) return SKIP;
      const rc = pod.runtimeClass;
      if (!rc) return unresolvable(notFoundReason(pod.runtimeClassName));
      const sel = rc.scheduling?.nodeSelector;
      if (!sel || Object.keys(sel).length === 0) return SKIP;
      state.write<State>(KEY, { selector: sel, reject: unresolvable(selectorReason(pod.runtimeClassName)) });
      return undefined;
    },
    filter(state, _pod, node) {
      const st = state.read<State>(KEY);
      if (!st) return undefined;
      return selectorMapMatches(st.selector, node.labels) ? undefined : st.reject;
    },
  };
}
