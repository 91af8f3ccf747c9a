// The agent's Node: upstream labels, capacity and allocatable from the host, nodeInfo, addresses,
// conditions (Ready with the kubelet's reasons and messages, and the three pressures) and the
// runtime handlers. Pure functions of host facts and the time.

import type { HostInfo, PressureInfo } from '../platform/common/platform.js';
import type { RuntimeCondition, RuntimeHandlerInfo, RuntimeVersion } from '../runtime/runtime.js';
import { rfc3339 } from '../../base/time.js';

export const KUBELET_VERSION = 'v1.32.0-tandem';
export const MAX_PODS = 110;

export interface NodeCondition { type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string; lastHeartbeatTime?: string; lastTransitionTime?: string }

export interface NodeFacts {
  nodeName: string;
  host: HostInfo;
  version: RuntimeVersion;
  runtimeConditions: RuntimeCondition[];
  handlers: RuntimeHandlerInfo[];
  pressure: PressureInfo;
  kubeletPort: number;
}

export function nodeLabels(name: string, host: HostInfo, extra: Record<string, string> = {}): Record<string, string> {
  const l: Record<string, string> = {
    ...extra,
    'beta.kubernetes.io/arch': host.arch,
    'beta.kubernetes.io/os': host.os,
    'kubernetes.io/arch': host.arch,
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': host.os,
  };
  if (host.os === 'windows' && host.windowsBuild) l['node.kubernetes.io/windows-build'] = host.windowsBuild.split('.').slice(0, 3).join('.');
  return l;
}

const GI = 1024 ** 3;
const MI = 1024 ** 2;

/** Capacity from the host; allocatable keeps back a small reserve (100m cpu, 5% memory up to 512Mi plus 100Mi eviction, 10% storage). */
export function capacityOf(host: HostInfo): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const mem = host.memoryBytes;
  const memReserve = Math.min(Math.floor(mem * 0.05), 512 * MI) + 100 * MI;
  const storage = host.ephemeralStorageBytes;
  return {
    capacity: {
      cpu: String(host.cpuCores),
      memory: `${Math.floor(mem / 1024)}Ki`,
      pods: String(MAX_PODS),
      'ephemeral-storage': `${Math.floor(storage / 1024)}Ki`,
      'hugepages-2Mi': '0',
    },
    allocatable: {
      cpu: `${Math.max(0, host.cpuCores * 1000 - 100)}m`,
      memory: `${Math.floor(Math.max(0, mem - memReserve) / 1024)}Ki`,
      pods: String(MAX_PODS),
      'ephemeral-storage': String(Math.floor(storage * 0.9)),
      'hugepages-2Mi': '0',
    },
  };
}
export { GI };

function readyCondition(rc: RuntimeCondition[]): NodeCondition {
  const rt = rc.find((c) => c.type === 'RuntimeReady');
  const net = rc.find((c) => c.type === 'NetworkReady');
  const problems: string[] = [];
  if (!rt?.status) problems.push(`container runtime not ready: RuntimeReady=false reason:${rt?.reason ?? ''} message:${rt?.message ?? ''}`);
  if (!net?.status) problems.push(`container runtime network not ready: NetworkReady=false reason:${net?.reason ?? ''} message:Network plugin returns error: ${net?.message ?? ''}`);
  if (problems.length) return { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: problems.join(', ') };
  return { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' };
}

export function nodeConditions(rc: RuntimeCondition[], p: PressureInfo): NodeCondition[] {
  return [
    p.memory ? { type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' }
      : { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    p.disk ? { type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' }
      : { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    p.pid ? { type: 'PIDPressure', status: 'True', reason: 'KubeletHasInsufficientPID', message: 'kubelet has insufficient PID available' }
      : { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    readyCondition(rc),
  ];
}

/** The node status without times (for change detection); `stamp` adds them. */
export function nodeStatus(f: NodeFacts): Record<string, unknown> {
  const { capacity, allocatable } = capacityOf(f.host);
  return {
    capacity, allocatable,
    conditions: nodeConditions(f.runtimeConditions, f.pressure),
    addresses: f.host.addresses.map((a) => ({ type: a.type, address: a.address })),
    daemonEndpoints: { kubeletEndpoint: { Port: f.kubeletPort } },
    nodeInfo: {
      machineID: f.host.machineId, systemUUID: f.host.systemUuid, bootID: f.host.bootId,
      kernelVersion: f.host.kernelVersion, osImage: f.host.osImage,
      containerRuntimeVersion: `${f.version.runtimeName}://${f.version.runtimeVersion}`,
      kubeletVersion: KUBELET_VERSION, kubeProxyVersion: '',
      operatingSystem: f.host.os, architecture: f.host.arch,
    },
    runtimeHandlers: f.handlers.map((h) => ({ name: h.name, features: { recursiveReadOnlyMounts: !!h.recursiveReadOnlyMounts, userNamespaces: !!h.userNamespaces } })),
  };
}

/** Adds heartbeat times; a condition keeps its transition time while its status stays. */
export function stampNodeStatus(status: Record<string, unknown>, previous: NodeCondition[] | undefined, now: number): Record<string, unknown> {
  const t = rfc3339(now);
  const conds = (status['conditions'] as NodeCondition[]).map((c) => {
    const old = previous?.find((o) => o.type === c.type);
    return { ...c, lastHeartbeatTime: t, lastTransitionTime: old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : t };
  });
  return { ...status, conditions: conds };
}
