// NodeRuntimeHandler (Tandem): a pod goes only to a node that can run it. Nodes list the runtime
// handlers they offer in status.runtimeHandlers: containerd lists its default runtime as "" (and
// again by name), a process-only agent lists `process`. A pod needs its RuntimeClass's handler,
// else the default container runtime (""); a HostProcess pod without a class is at home on either
// a container runtime or native processes. Nodes that list no handlers (older agents) are not
// judged. Reasons are per kind of miss, not per node, so that the FailedScheduling message counts
// them over a fleet like upstream's reasons.

import type { FilterPlugin, PreFilterPlugin } from '../../framework/interfaces.js';
import { fixed, SKIP, type Status } from '../../framework/status.js';
import { isHostProcessPod } from '../../../api/kinds/core/pod/validate-os.js';
import { HANDLER_PROCESS } from '../../../api/well-known.js';

export const NAME = 'NodeRuntimeHandler';
const KEY = `${NAME}/state`;

/** The default handler: the node's container runtime as configured. */
const DEFAULT_HANDLER = '';

export const REASON_PROCESS_ONLY = 'node(s) run native processes only; this pod needs a container runtime';
export const REASON_NO_DEFAULT = 'node(s) have no default container runtime; this pod needs one';
export const REASON_NO_PROCESS = `node(s) cannot run native processes (runtime handler "${HANDLER_PROCESS}")`;
export const REASON_HOST_PROCESS = 'node(s) have neither a container runtime nor native processes for this HostProcess pod';
export const noHandlerReason = (handler: string) => `node(s) have no runtime for handler "${handler}"`;

interface State {
  /** Handlers any one of which will do. */
  accepted: readonly string[];
  /** Only the default runtime will do: NodeInfo.offersDefaultRuntime answers without touching the set. */
  defaultOnly: boolean;
  /** Why a node that offers none of them cannot take the pod. */
  reject: (offered: ReadonlySet<string>) => Status;
}

const processOnly = fixed('UnschedulableAndUnresolvable', REASON_PROCESS_ONLY);
const noDefault = fixed('UnschedulableAndUnresolvable', REASON_NO_DEFAULT);
const noProcess = fixed('UnschedulableAndUnresolvable', REASON_NO_PROCESS);
const noHostProcess = fixed('UnschedulableAndUnresolvable', REASON_HOST_PROCESS);

function stateFor(handler: string | undefined, hostProcess: boolean): State {
  if (handler === undefined && hostProcess)
    return { accepted: [HANDLER_PROCESS, DEFAULT_HANDLER], defaultOnly: false, reject: () => noHostProcess };
  const needed = handler ?? DEFAULT_HANDLER;
  if (needed === DEFAULT_HANDLER) {
    return {
      accepted: [DEFAULT_HANDLER],
      defaultOnly: true,
      reject: (offered) => (offered.size === 1 && offered.has(HANDLER_PROCESS) ? processOnly : noDefault),
    };
  }
  if (needed === HANDLER_PROCESS) return { accepted: [HANDLER_PROCESS], defaultOnly: false, reject: () => noProcess };
  const missing = fixed('UnschedulableAndUnresolvable', noHandlerReason(needed));
  return { accepted: [needed], defaultOnly: false, reject: () => missing };
}

export function create(): PreFilterPlugin & FilterPlugin {
  return {
    name: NAME,
    preFilter(state, pod) {
      // a class that does not exist is the RuntimeClass plugin's rejection, not ours
      if (pod.runtimeClassName && !pod.runtimeClass) return SKIP;
      const spec = pod.pod.spec ?? { containers: [] };
      state.write<State>(KEY, stateFor(pod.runtimeClass?.handler, isHostProcessPod(spec)));
      return undefined;
    },
    filter(state, _pod, node) {
      const offered = node.runtimeHandlers;
      if (!offered) return undefined;
      const st = state.read<State>(KEY);
      if (!st) return undefined;
      if (st.defaultOnly) return node.offersDefaultRuntime ? undefined : st.reject(offered);
      // a plain loop: this runs for every node of every cycle, and a closure per call shows in profiles
      for (let i = 0; i < st.accepted.length; i++) if (offered.has(st.accepted[i] as string)) return undefined;
      return st.reject(offered);
    },
  };
}
