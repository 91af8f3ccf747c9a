// NodeUnschedulable: cordoned nodes (spec.unschedulable) take only pods tolerating
// node.kubernetes.io/unschedulable:NoSchedule.

import { UNSCHEDULABLE_TAINT_KEY } from '../../framework/api-types.js';
import type { FilterPlugin } from '../../framework/interfaces.js';
import { fixed } from '../../framework/status.js';
import { tolerated } from '../../framework/tolerations.js';

export const NAME = 'NodeUnschedulable';
export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

const REJECT = fixed('UnschedulableAndUnresolvable', REASON_UNSCHEDULABLE);
const TAINT = { key: UNSCHEDULABLE_TAINT_KEY, effect: 'NoSchedule' };

export function create(): FilterPlugin {
  return {
    name: NAME,
    filter(_state, pod, node) {
      if (!node.unschedulable) return undefined;
      return tolerated(pod.tolerations, TAINT) ? undefined : REJECT;
    },
  };
}
