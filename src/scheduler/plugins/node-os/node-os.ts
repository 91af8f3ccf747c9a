// NodeOS (Tandem): a pod never lands on a node of another OS. The pod's OS is spec.os.name, else
// implied by its RuntimeClass handler (`runhcs-*` = windows); the node's is its kubernetes.io/os
// label (whether the node offers the handler is NodeRuntimeHandler's question). A pod with no OS
// hint is a Linux pod (api/kinds/core/pod/os.ts), unless its required node affinity constrains
// kubernetes.io/os itself.

import type { FilterPlugin, PreFilterPlugin } from '../../framework/interfaces.js';
import { SKIP, unresolvable, type Status } from '../../framework/status.js';
import { handlerOS, podOS } from '../../../api/kinds/core/pod/os.js';

export const NAME = 'NodeOS';
const KEY = `${NAME}/state`;

interface State {
  os: string;
  osReject: Status;
}

export const osReason = (os: string) => `node(s) didn't match Pod's OS (${os})`;

/** The OS a RuntimeClass handler implies, if any. */
export { handlerOS };

export function create(): PreFilterPlugin & FilterPlugin {
  return {
    name: NAME,
    preFilter(state, pod) {
      const declared = pod.pod.spec?.os?.name || undefined;
      const handler = pod.runtimeClass?.handler || undefined;
      const implied = handlerOS(handler);
      if (declared && implied && declared !== implied) {
        return unresolvable(
          `Pod's OS (${declared}) conflicts with RuntimeClass "${pod.runtimeClassName ?? ''}" handler ${handler ?? ''} (${implied})`,
        );
      }
      const os = declared ?? implied ?? podOS(pod.pod.spec as Parameters<typeof podOS>[0]);
      if (!os) return SKIP;
      state.write<State>(KEY, { os, osReject: unresolvable(osReason(os)) });
      return undefined;
    },
    filter(state, _pod, node) {
      const st = state.read<State>(KEY);
      return st && node.os !== st.os ? st.osReject : undefined;
    },
  };
}
