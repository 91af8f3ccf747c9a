// The Linux part of a container: resources as cgroup settings (cpu limit -> CFS quota over a 100 ms
// period, cpu request -> shares, memory limit -> bytes, oom_score_adj by QoS) and the securityContext
// basics; and the runAsNonRoot check the agent makes itself.

import type { Container, PodSecurityContext } from '../../api/gen/types.js';
import { toInteger, toMilli } from '../../base/quantity.js';
import type { LinuxContainerResources, LinuxContainerSecurityContext } from '../runtime/runtime.js';

export const CFS_PERIOD = 100_000;
const MIN_SHARES = 2;
const MIN_QUOTA = 1000;

export function linuxResources(c: Container, qosClass: string, memoryCapacity: number): LinuxContainerResources {
  const lim = c.resources?.limits ?? {};
  const req = c.resources?.requests ?? {};
  const out: LinuxContainerResources = {};
  const cpuReq = req['cpu'] ?? lim['cpu'];
  const shares = cpuReq === undefined ? MIN_SHARES : Math.floor((toMilli(cpuReq) * 1024) / 1000);
  out.cpuShares = Math.max(MIN_SHARES, shares);
  if (lim['cpu'] !== undefined) {
    out.cpuPeriod = CFS_PERIOD;
    out.cpuQuota = Math.max(MIN_QUOTA, Math.floor((toMilli(lim['cpu']) * CFS_PERIOD) / 1000));
  }
  if (lim['memory'] !== undefined) out.memoryLimitInBytes = toInteger(lim['memory']);
  out.oomScoreAdj = oomScoreAdj(c, qosClass, memoryCapacity);
  return out;
}

/** Guaranteed -997, BestEffort 1000, Burstable scaled by the memory request within [2, 999]. */
export function oomScoreAdj(c: Container, qosClass: string, memoryCapacity: number): number {
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
  if (sc.runAsNonRoot && sc.runAsUser === 0) return 'container\'s runAsUser breaks non-root policy';
  return undefined;
}
