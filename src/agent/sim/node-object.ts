// The Node object of a simulated node: upstream labels, capacity, conditions, addresses, nodeInfo
// and the runtime handlers it advertises. Pure functions of a small description plus the time.

import { createHash } from 'node:crypto';
import type { Node, NodeStatus, Taint } from '../../api/gen/types.js';
import { rfc3339 } from '../../base/time.js';

export type SimOs = 'linux' | 'windows';

export interface SimNodeDescription {
  name: string;
  os: SimOs;
  arch: string;
  /** major.minor.build, windows only */
  windowsBuild?: string;
  cpu: string;
  memory: string;
  pods: number;
  ephemeralStorage: string;
  zone?: string;
  labels: Record<string, string>;
  taints: Taint[];
  hyperV: boolean;
  podCIDR: string;
  internalIP: string;
  kubeletVersion: string;
  /** changes on every start of the simulation, like a reboot */
  bootSeed: string;
}

export const SIMULATED_LABEL = 'tandem.io/simulated';
export const WINDOWS_BUILD_LABEL = 'node.kubernetes.io/windows-build';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const KUBELET_PORT = 10250;

export interface RuntimeHandler { name: string; features: { recursiveReadOnlyMounts: boolean; userNamespaces: boolean } }

export function runtimeHandlers(os: SimOs, hyperV: boolean): RuntimeHandler[] {
  if (os === 'linux') {
    const features = { recursiveReadOnlyMounts: true, userNamespaces: true };
    return [{ name: 'runc', features }, { name: '', features: { ...features } }];
  }
  const features = { recursiveReadOnlyMounts: false, userNamespaces: false };
  const out: RuntimeHandler[] = [{ name: 'runhcs-wcow-process', features }];
  if (hyperV) out.push({ name: 'runhcs-wcow-hypervisor', features: { ...features } });
  return out;
}

/** `10.0.20348.2700` -> `10.0.20348`; undefined when it is not a Windows version. */
export function majorMinorBuild(version: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:\.\d+)?$/.exec(version.trim());
  return m ? `${m[1]}.${m[2]}.${m[3]}` : undefined;
}

const WINDOWS_RELEASES: Record<string, string> = {
  '14393': 'Windows Server 2016 Datacenter',
  '17763': 'Windows Server 2019 Datacenter',
  '20348': 'Windows Server 2022 Datacenter',
  '26100': 'Windows Server 2025 Datacenter',
};

export function osImage(os: SimOs, windowsBuild?: string): string {
  if (os === 'linux') return 'Debian GNU/Linux 12 (simulated)';
  const build = (windowsBuild ?? '').split('.')[2] ?? '';
  return `${WINDOWS_RELEASES[build] ?? 'Windows Server'} (simulated)`;
}

export function nodeLabels(d: SimNodeDescription): Record<string, string> {
  const l: Record<string, string> = {
    ...d.labels,
    'beta.kubernetes.io/arch': d.arch,
    'beta.kubernetes.io/os': d.os,
    'kubernetes.io/arch': d.arch,
    'kubernetes.io/hostname': d.name,
    'kubernetes.io/os': d.os,
    'node.kubernetes.io/instance-type': 'tandem-sim',
    [SIMULATED_LABEL]: 'true',
  };
  if (d.os === 'windows' && d.windowsBuild) l[WINDOWS_BUILD_LABEL] = majorMinorBuild(d.windowsBuild) ?? d.windowsBuild;
  if (d.zone !== undefined) l[ZONE_LABEL] = d.zone;
  return l;
}

const hex = (s: string) => createHash('sha256').update(s).digest('hex');
const uuidOf = (s: string) => {
  const h = hex(s);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

export function buildNodeStatus(d: SimNodeDescription, nowMs: number, readySinceMs: number): NodeStatus {
  const now = rfc3339(nowMs);
  const since = rfc3339(readySinceMs);
  const capacity = { cpu: d.cpu, 'ephemeral-storage': d.ephemeralStorage, memory: d.memory, pods: String(d.pods) };
  const cond = (type: string, status: string, reason: string, message: string) =>
    ({ type, status, lastHeartbeatTime: now, lastTransitionTime: since, reason, message });
  return {
    capacity,
    allocatable: { ...capacity },
    conditions: [
      cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'simulated node has enough memory'),
      cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'simulated node has no disk pressure'),
      cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'simulated node has enough PIDs'),
      cond('Ready', 'True', 'KubeletReady', 'simulated node agent is posting ready status'),
    ],
    addresses: [{ type: 'InternalIP', address: d.internalIP }, { type: 'Hostname', address: d.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: {
      machineID: hex(`machine:${d.name}`).slice(0, 32),
      systemUUID: uuidOf(`system:${d.name}`),
      bootID: uuidOf(`boot:${d.bootSeed}:${d.name}`),
      kernelVersion: d.os === 'linux' ? '6.1.0-sim' : d.windowsBuild ?? '',
      osImage: osImage(d.os, d.windowsBuild),
      containerRuntimeVersion: 'sim://1.0.0',
      kubeletVersion: d.kubeletVersion,
      kubeProxyVersion: d.kubeletVersion,
      operatingSystem: d.os,
      architecture: d.arch,
    },
    runtimeHandlers: runtimeHandlers(d.os, d.hyperV),
  };
}

export function buildNode(d: SimNodeDescription, nowMs: number, readySinceMs: number): Node {
  const spec: NonNullable<Node['spec']> = { podCIDR: d.podCIDR, podCIDRs: [d.podCIDR], providerID: `tandem-sim://${d.name}` };
  if (d.taints.length > 0) spec.taints = d.taints.map((t) => ({ ...t }));
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: d.name, labels: nodeLabels(d), annotations: { 'node.alpha.kubernetes.io/ttl': '0' } },
    spec,
    status: buildNodeStatus(d, nowMs, readySinceMs),
  };
}
