// The Windows parts of a pod's CRI requests: the sandbox's and each container's identity
// (windowsOptions: runAsUserName, the gMSA credential spec, hostProcess; a container's own options
// win over the pod's) and a container's job object limits (a cpu limit as a share of the host's
// processors, a memory limit in bytes).

import type { Container, PodSecurityContext, PodSpec, WindowsSecurityContextOptions } from '../../api/gen/types.js';
import { toInteger, toMilli } from '../../base/quantity.js';
import type { WindowsContainerResources, WindowsContainerSecurityContext, WindowsSandboxSecurityContext } from '../runtime/runtime.js';

/** CRI cpu_maximum is in hundredths of a percent of all the host's processors. */
const ALL_PROCESSORS = 10_000;

/** A container's windowsOptions over the pod's, field by field. */
function effectiveOptions(c: Container, podSc: PodSecurityContext | undefined): WindowsSecurityContextOptions {
  return { ...(podSc?.windowsOptions ?? {}), ...(c.securityContext?.windowsOptions ?? {}) };
}

function identity(o: WindowsSecurityContextOptions): WindowsContainerSecurityContext {
  const out: WindowsContainerSecurityContext = {};
  if (o.runAsUserName) out.runAsUsername = o.runAsUserName;
  if (o.gmsaCredentialSpec) out.credentialSpec = o.gmsaCredentialSpec;
  if (o.hostProcess) out.hostProcess = true;
  return out;
}

export function windowsContainerSecurity(c: Container, podSc: PodSecurityContext | undefined): WindowsContainerSecurityContext {
  return identity(effectiveOptions(c, podSc));
}

/** The pod's identity; it is a HostProcess pod when the pod or any of its containers says so. */
export function windowsSandboxSecurity(spec: PodSpec | undefined): WindowsSandboxSecurityContext {
  const podSc = spec?.securityContext;
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  const hostProcess =
    podSc?.windowsOptions?.hostProcess === true || containers.some((c) => effectiveOptions(c, podSc).hostProcess === true);
  return identity({ ...(podSc?.windowsOptions ?? {}), hostProcess });
}

/** Limits only: Windows has no cpu request to honour, and the cpu limit is scaled to the host's processors. */
export function windowsResources(c: Container, hostProcessors: number): WindowsContainerResources {
  const out: WindowsContainerResources = {};
  const cpu = c.resources?.limits?.['cpu'];
  if (cpu !== undefined && toMilli(cpu) > 0 && hostProcessors > 0) {
    const share = Math.floor((toMilli(cpu) * ALL_PROCESSORS) / (hostProcessors * 1000));
    out.cpuMaximum = Math.min(ALL_PROCESSORS, Math.max(1, share));
  }
  const memory = c.resources?.limits?.['memory'];
  if (memory !== undefined && toInteger(memory) > 0) out.memoryLimitInBytes = toInteger(memory);
  return out;
}
