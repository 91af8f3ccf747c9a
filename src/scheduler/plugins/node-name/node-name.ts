// NodeName: a pod naming a node (spec.nodeName) fits only there.

import type { FilterPlugin } from '../../framework/interfaces.js';
import { fixed } from '../../framework/status.js';

export const NAME = 'NodeName';
export const REASON = "node(s) didn't match the requested node name";
const REJECT = fixed('UnschedulableAndUnresolvable', REASON);

export function create(): FilterPlugin {
  return {
    name: NAME,
    filter(_state, pod, node) {
      const want = pod.pod.spec?.nodeName;
      return !want || want === node.name ? undefined : REJECT;
    },
  };
}
