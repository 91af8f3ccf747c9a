// The runtime handler a pod's sandbox runs under: the RuntimeClass's when the pod names one; for a
// HostProcess pod without one, the native process runtime when this node has it; for any other
// Windows pod, the handler of the isolation it pins (the scheduler's tandem.dev/isolation through
// the binding, or the legacy experimental.windows.kubernetes.io/isolation-type: hyperv). The pins
// are read by isolationPin, the one rule the scheduler also uses, so the agent never runs a pod
// with another isolation than the one it was placed for; conflicting pins are an error, not a choice.

import type { Pod } from '../../api/gen/types.js';
import { podOS } from '../../api/kinds/core/pod/os.js';
import { handlerForIsolation, isolationPin, type IsolationPin } from '../../api/scheduling/windows-pod-isolation.js';
import { HANDLER_WINDOWS_HYPERV, HANDLER_WINDOWS_PROCESS } from '../../api/well-known.js';
import type { PodContext } from './pod-context.js';
import { PROCESS_HANDLER } from './runtime-config.js';
import { isHostProcessPod } from '../../api/kinds/core/pod/validate-os.js';

export type SandboxHandler =
  /** `isolation`: the Windows isolation the sandbox runs with and who asked for it (which image entry to pull) */
  | { handler: string; isolation?: IsolationPin }
  /** the pod cannot get a sandbox now: the message of a FailedCreatePodSandBox event */
  | { failed: string };

const isolationOfHandler = (h: string) => (h === HANDLER_WINDOWS_HYPERV ? 'hyperv' : h === HANDLER_WINDOWS_PROCESS ? 'process' : undefined);

/** `creating`: a new sandbox is wanted, so the node must offer the handler (a running one already has it). */
export async function sandboxHandler(
  ctx: Pick<PodContext, 'objects' | 'runtime' | 'nodeName'>,
  pod: Pod,
  creating = true,
): Promise<SandboxHandler> {
  const rcName = pod.spec?.runtimeClassName;
  let rc: { name: string; handler: string } | undefined;
  if (rcName) {
    const h = await ctx.objects.runtimeHandler(rcName);
    if (h === undefined) return { failed: `Failed to create pod sandbox: runtimeclass.node.k8s.io "${rcName}" not found` };
    rc = { name: rcName, handler: h };
  }
  const hostProcess = pod.spec !== undefined && isHostProcessPod(pod.spec);
  // a HostProcess pod without a RuntimeClass runs as host processes when this node can
  if (!rc && hostProcess && (await ctx.runtime.runtimeHandlers()).some((x) => x.name === PROCESS_HANDLER))
    return { handler: PROCESS_HANDLER };
  // no container isolation to choose: HostProcess pods, the native process runtime, Linux pods
  if (hostProcess || rc?.handler === PROCESS_HANDLER || podOS(pod.spec, rc?.handler) !== 'windows') return { handler: rc?.handler ?? '' };
  const pin = isolationPin(pod, rc);
  if (typeof pin === 'string') return { failed: `Failed to create pod sandbox: ${pin}` };
  if (rc) {
    // the class's handler rules; its isolation decides the image entry only when it is one of the two
    const own = isolationOfHandler(rc.handler);
    return own && pin?.isolation === own ? { handler: rc.handler, isolation: pin } : { handler: rc.handler };
  }
  if (!pin) return { handler: '' };
  const handler = handlerForIsolation(pin.isolation);
  if (!creating) return { handler, isolation: pin };
  const offered = await ctx.runtime.runtimeHandlers();
  if (!offered.some((h) => h.name === handler)) {
    const has = offered.map((h) => (h.name === '' ? '"" (default)' : h.name)).join(', ') || 'none';
    return {
      failed:
        `Failed to create pod sandbox: ${pin.by} needs runtime handler ${handler}, and node ${ctx.nodeName} does not offer it ` +
        `(its handlers: ${has}); the scheduler should not have placed the pod here`,
    };
  }
  return { handler, isolation: pin };
}
