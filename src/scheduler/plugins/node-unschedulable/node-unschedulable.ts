// NodeUnschedulable: cordoned nodes (spec.unschedulable) take only pods tolerating
// node.kubernetes.io/unschedulable:NoSchedule.

import type { Taint } from '../../../api/gen/types.js';
import { TAINT_UNSCHEDULABLE } from '../../../api/well-known.js';
import type { FilterPlugin } from '../../framework/interfaces.js';
import { fixed } from '../../framework/status.js';
import { isTolerated } from '../../../api/scheduling/tolerations.js';

export const NAME = 'NodeUnschedulable';
export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

const REJECT = fixed('UnschedulableAndUnresolvable', REASON_UNSCHEDULABLE);
const TAINT: Taint = { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' };

export function create(): FilterPlugin {
  return {
    name: NAME,
    filter(_state, pod, node) {
      if (!node.unschedulable) return undefined;
      return isTolerated(pod.tolerations, TAINT) ? undefined : REJECT;
    },
  };
}
