// RuntimeClass: a pod naming a RuntimeClass that no longer exists waits (its handler cannot be
// known). The class's overhead, nodeSelector and tolerations are in the pod's spec already:
// RuntimeClass admission merged them at create, so NodeResourcesFit, NodeAffinity and
// TaintToleration see them as they see the pod's own.

import type { PreFilterPlugin } from '../../framework/interfaces.js';
import { SKIP, unresolvable } from '../../framework/status.js';

export const NAME = 'RuntimeClass';

export const notFoundReason = (name: string) => `RuntimeClass "${name}" not found`;

export function create(): PreFilterPlugin {
  return {
    name: NAME,
    preFilter(_state, pod) {
      if (!pod.runtimeClassName) return SKIP;
      return pod.runtimeClass ? SKIP : unresolvable(notFoundReason(pod.runtimeClassName));
    },
  };
}
