// The Linux part of a container: resources as cgroup settings (cpu limit -> CFS quota over a 100 ms
// period, cpu request -> shares, memory limit -> bytes, oom_score_adj by QoS) and the securityContext
// basics; and the runAsNonRoot check the agent makes itself.

import type { Container, PodSecurityContext, PodSpec, Quantity } from '../../api/gen/types.js';
import { podRequests } from '../../api/scheduling/pod-requests.js';
import { toInteger, toMilli } from '../../base/quantity.js';
import type { LinuxContainerResources, LinuxContainerSecurityContext } from '../runtime/runtime.js';

const CFS_PERIOD = 100_000;
const MIN_SHARES = 2;
const MIN_QUOTA = 1000;

export function linuxResources(c: Container, qosClass: string, memoryCapacity: number): LinuxContainerResources {
  const lim = c.resources?.limits ?? {};
  const req = c.resources?.requests ?? {};
  const milli = (q: Quantity | undefined) => (q === undefined ? undefined : toMilli(q));
  const out = cgroupResources(milli(req['cpu']), milli(lim['cpu']), lim['memory'] === undefined ? undefined : toInteger(lim['memory']));
  out.oomScoreAdj = oomScoreAdj(c, qosClass, memoryCapacity);
  return out;
}

/** cgroup settings from a cpu request and limit (millicores) and a memory limit (bytes), as the kubelet computes them. */
function cgroupResources(
  cpuRequestMilli: number | undefined,
  cpuLimitMilli: number | undefined,
  memoryLimit: number | undefined,
): LinuxContainerResources {
  const out: LinuxContainerResources = {};
  const shares = cpuRequestMilli ?? cpuLimitMilli;
  out.cpuShares = Math.max(MIN_SHARES, shares === undefined ? MIN_SHARES : Math.floor((shares * 1024) / 1000));
  if (cpuLimitMilli !== undefined) {
    out.cpuPeriod = CFS_PERIOD;
    out.cpuQuota = Math.max(MIN_QUOTA, Math.floor((cpuLimitMilli * CFS_PERIOD) / 1000));
  }
  if (memoryLimit !== undefined) out.memoryLimitInBytes = memoryLimit;
  return out;
}

/**
 * The pod sandbox's resources (CRI LinuxPodSandboxConfig): `resources` from the pod's requests and
 * limits without the overhead, `overhead` from spec.overhead (requests = limits), as the kubelet
 * fills them. The overhead is what RuntimeClass admission put in the pod.
 */
export function sandboxResources(spec: PodSpec | undefined): { resources: LinuxContainerResources; overhead?: LinuxContainerResources } {
  const containers = spec?.containers ?? [];
  const req = podRequests({ containers, initContainers: spec?.initContainers ?? [] });
  let cpuLimit = 0,
    memLimit = 0;
  for (const c of containers) {
    const l = c.resources?.limits ?? {};
    if (l['cpu'] !== undefined) cpuLimit += toMilli(l['cpu']);
    if (l['memory'] !== undefined) memLimit += toInteger(l['memory']);
  }
  const hasCpuRequest = containers.some((c) => c.resources?.requests?.['cpu'] !== undefined);
  const out: { resources: LinuxContainerResources; overhead?: LinuxContainerResources } = {
    resources: cgroupResources(hasCpuRequest ? req.milliCPU : undefined, cpuLimit || undefined, memLimit || undefined),
  };
  const oh = spec?.overhead;
  if (oh) {
    const cpu = oh['cpu'] === undefined ? undefined : toMilli(oh['cpu']) || undefined;
    out.overhead = cgroupResources(cpu, cpu, oh['memory'] === undefined ? undefined : toInteger(oh['memory']) || undefined);
  }
  return out;
}

/** Guaranteed -997, BestEffort 1000, Burstable scaled by the memory request within [2, 999]. */
function oomScoreAdj(c: Container, qosClass: string, memoryCapacity: number): number {
  if (qosClass === 'Guaranteed') return -997;
  if (qosClass === 'BestEffort') return 1000;
  const req = c.resources?.requests?.['memory'];
  const bytes = req === undefined ? 0 : toInteger(req);
  const adj = memoryCapacity > 0 ? 1000 - Math.floor((1000 * bytes) / memoryCapacity) : 999;
  return Math.min(999, Math.max(2, adj));
}

/** The container's securityContext over the pod's (the container's fields win). */
export function linuxSecurity(c: Container, podSc: PodSecurityContext | undefined): LinuxContainerSecurityContext {
  const sc = { ...(podSc ?? {}), ...(c.securityContext ?? {}) };
  const out: LinuxContainerSecurityContext = {};
  if (sc.runAsUser !== undefined) out.runAsUser = sc.runAsUser;
  if (sc.runAsGroup !== undefined) out.runAsGroup = sc.runAsGroup;
  if (sc.runAsNonRoot !== undefined) out.runAsNonRoot = sc.runAsNonRoot;
  if (c.securityContext?.readOnlyRootFilesystem) out.readonlyRootfs = true;
  if (c.securityContext?.privileged) out.privileged = true;
  const caps = c.securityContext?.capabilities;
  if (caps) out.capabilities = { add: caps.add ?? [], drop: caps.drop ?? [] };
  return out;
}

/** runAsNonRoot with an explicit uid 0 cannot start (upstream's message). */
export function nonRootViolation(c: Container, podSc: PodSecurityContext | undefined): string | undefined {
  const sc = { ...(podSc ?? {}), ...(c.securityContext ?? {}) };
  if (sc.runAsNonRoot && sc.runAsUser === 0) return "container's runAsUser breaks non-root policy";
  return undefined;
}
