// The Node object of a simulated node: a faked host description fed to the agent's own node
// builder (node/node-object.ts), plus what only the simulation says: its instance type, the
// simulated label, a zone, conditions that are always good and the runtime handlers it offers.

import { createHash } from 'node:crypto';
import type { Node, NodeCondition, NodeStatus, Taint } from '../../api/gen/types.js';
import {
  ANNOTATION_NODE_TTL,
  HANDLER_PROCESS,
  HANDLER_WINDOWS_HYPERV,
  HANDLER_WINDOWS_PROCESS,
  LABEL_INSTANCE_TYPE,
  LABEL_ZONE,
  LABEL_SIMULATED,
} from '../../api/well-known.js';
import { rfc3339 } from '../../base/time.js';
import { ANN_LOCAL_PATH_ROOT } from '../../api/storage/well-known.js';
import { buildNode as buildNodeObject, nodeLabels, nodeStatus, type NodeHost } from '../node/node-object.js';
import type { RuntimeHandlerInfo } from '../runtime/runtime.js';

export type SimOs = NodeHost['os'];
/** What runs a simulated node's pods: containerd (the default) or Tandem's native process runtime alone. */
export type SimRuntime = 'containerd' | 'process';
export const SIM_RUNTIMES: readonly SimRuntime[] = ['containerd', 'process'];

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
  /** default containerd */
  runtime?: SimRuntime;
  podCIDR: string;
  internalIP: string;
  kubeletVersion: string;
  /** changes on every start of the simulation, like a reboot */
  bootSeed: string;
}

export const SIMULATED_LABEL = LABEL_SIMULATED;
const KUBELET_PORT = 10250;

/**
 * The handlers a real node of this kind lists: containerd lists its default runtime twice, by name
 * and as "" (the handler of pods without a RuntimeClass); a process-only agent lists `process`.
 */
export function runtimeHandlers(os: SimOs, hyperV: boolean, runtime: SimRuntime = 'containerd'): RuntimeHandlerInfo[] {
  if (runtime === 'process') return [{ name: HANDLER_PROCESS, recursiveReadOnlyMounts: false, userNamespaces: false }];
  if (os === 'linux') {
    const features = { recursiveReadOnlyMounts: true, userNamespaces: true };
    return [
      { name: 'runc', ...features },
      { name: '', ...features },
    ];
  }
  const features = { recursiveReadOnlyMounts: false, userNamespaces: false };
  const out: RuntimeHandlerInfo[] = [
    { name: HANDLER_WINDOWS_PROCESS, ...features },
    { name: '', ...features },
  ];
  if (hyperV) out.push({ name: HANDLER_WINDOWS_HYPERV, ...features });
  return out;
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

const hex = (s: string) => createHash('sha256').update(s).digest('hex');
const uuidOf = (s: string) => {
  const h = hex(s);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** The host a simulated node pretends to be: stable ids per name, a boot id per start. */
export function simHost(d: SimNodeDescription): NodeHost {
  const host: NodeHost = {
    os: d.os,
    arch: d.arch,
    kernelVersion: d.os === 'linux' ? '6.1.0-sim' : (d.windowsBuild ?? ''),
    osImage: osImage(d.os, d.windowsBuild),
    machineId: hex(`machine:${d.name}`).slice(0, 32),
    systemUuid: uuidOf(`system:${d.name}`),
    bootId: uuidOf(`boot:${d.bootSeed}:${d.name}`),
    addresses: [
      { type: 'InternalIP', address: d.internalIP },
      { type: 'Hostname', address: d.name },
    ],
  };
  if (d.windowsBuild) host.windowsBuild = d.windowsBuild;
  return host;
}

/** The labels the simulation adds to the well-known ones (which win over the user's). */
function simLabels(d: SimNodeDescription): Record<string, string> {
  const l: Record<string, string> = { ...d.labels, [LABEL_INSTANCE_TYPE]: 'tandem-sim', [SIMULATED_LABEL]: 'true' };
  if (d.zone !== undefined) l[LABEL_ZONE] = d.zone;
  return l;
}

export function simNodeLabels(d: SimNodeDescription): Record<string, string> {
  return nodeLabels(d.name, simHost(d), simLabels(d));
}

export function buildNodeStatus(d: SimNodeDescription, nowMs: number, readySinceMs: number): NodeStatus {
  const now = rfc3339(nowMs);
  const since = rfc3339(readySinceMs);
  const capacity = { cpu: d.cpu, 'ephemeral-storage': d.ephemeralStorage, memory: d.memory, pods: String(d.pods) };
  const cond = (type: string, status: string, reason: string, message: string): NodeCondition => ({
    type,
    status,
    lastHeartbeatTime: now,
    lastTransitionTime: since,
    reason,
    message,
  });
  return nodeStatus({
    host: simHost(d),
    capacity,
    allocatable: { ...capacity },
    conditions: [
      cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'simulated node has enough memory'),
      cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'simulated node has no disk pressure'),
      cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'simulated node has enough PIDs'),
      cond('Ready', 'True', 'KubeletReady', 'simulated node agent is posting ready status'),
    ],
    containerRuntimeVersion: 'sim://1.0.0',
    kubeletVersion: d.kubeletVersion,
    kubeProxyVersion: d.kubeletVersion,
    kubeletPort: KUBELET_PORT,
    handlers: runtimeHandlers(d.os, d.hyperV, d.runtime),
  });
}

/**
 * Where a simulated node says its local-path volumes live: a path in its OS's style that nothing
 * ever creates, so that the provisioner treats it as any node (a volume there is pinned to it).
 */
export function simVolumeRoot(d: Pick<SimNodeDescription, 'name' | 'os'>): Record<string, string> {
  const root = d.os === 'windows' ? `C:\\ProgramData\\tandem-sim\\${d.name}\\volumes` : `/var/lib/tandem-sim/${d.name}/volumes`;
  return { [ANN_LOCAL_PATH_ROOT]: root };
}

export function buildNode(d: SimNodeDescription, nowMs: number, readySinceMs: number): Node {
  return buildNodeObject(
    {
      name: d.name,
      host: simHost(d),
      labels: simLabels(d),
      annotations: { [ANNOTATION_NODE_TTL]: '0', ...simVolumeRoot(d) },
      podCidr: d.podCIDR,
      providerID: `tandem-sim://${d.name}`,
      taints: d.taints,
    },
    buildNodeStatus(d, nowMs, readySinceMs),
  );
}
