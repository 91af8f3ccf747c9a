// The CRI requests for a pod: its sandbox (hostname, DNS, host ports, labels, runtime handler, the
// node namespaces it shares and whether it may hold privileged containers) and each container
// (command, env, mounts, log path), with the section of the host's OS: on Linux the cgroup parent,
// resources and security (resources.ts), on Windows the identity and job object limits
// (windows-config.ts).

import { join } from 'node:path';
import type { Container, Pod, PodSpec } from '../../api/gen/types.js';
import type { HostInfo } from '../platform/common/platform.js';
import type { ContainerConfig, KeyValue, Mount, PortMapping, Protocol, SandboxConfig } from '../runtime/runtime.js';
import { podDnsSettings, type NodeDnsConfig } from './dns-config.js';
import { CONTAINER_NAME_LABEL, MANAGED_LABEL, POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL } from './labels.js';
import { linuxResources, linuxSecurity, sandboxResources } from './resources.js';
import { windowsContainerSecurity, windowsResources, windowsSandboxSecurity } from './windows-config.js';

/** The RuntimeClass handler of the native process runtime, chosen for HostProcess pods without a RuntimeClass. */
export const PROCESS_HANDLER = 'process';

/** The OS whose section the requests carry: the host's. */
export type HostOs = HostInfo['os'];

const podLogDirectory = (dataDir: string, pod: Pod) =>
  join(dataDir, 'logs', 'pods', `${pod.metadata.namespace ?? ''}_${pod.metadata.name ?? ''}_${pod.metadata.uid ?? ''}`);

function podLabels(pod: Pod): Record<string, string> {
  return {
    [POD_NAME_LABEL]: pod.metadata.name ?? '',
    [POD_NAMESPACE_LABEL]: pod.metadata.namespace ?? '',
    [POD_UID_LABEL]: pod.metadata.uid ?? '',
    [MANAGED_LABEL]: 'true',
  };
}

function portMappings(pod: Pod): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      const protocol: Protocol = p.protocol === 'UDP' || p.protocol === 'SCTP' ? p.protocol : 'TCP';
      const m: PortMapping = { protocol, containerPort: p.containerPort, hostPort: p.hostPort };
      if (p.hostIP) m.hostIp = p.hostIP;
      out.push(m);
    }
  }
  return out;
}

/**
 * A pod in the node's network namespace shares the node's UTS namespace too: no hostname is set (the
 * kubelet leaves it empty; runc refuses a hostname without a private UTS namespace, and the runtime
 * gives the container the node's name).
 */
function podHostname(pod: Pod): string {
  if (pod.spec?.hostNetwork) return '';
  return (pod.spec?.hostname || pod.metadata.name || 'pod').slice(0, 63).replace(/[.-]+$/, '');
}

/**
 * The sandbox's namespaces and privilege, as the kubelet sets them: hostNetwork, hostPID and hostIPC
 * put the pod in the node's namespaces, shareProcessNamespace gives its containers one PID namespace,
 * and a sandbox is privileged when any of its containers is (the runtime refuses a privileged
 * container in a sandbox that is not).
 */
function linuxSandboxSecurity(spec: PodSpec | undefined): NonNullable<NonNullable<SandboxConfig['linux']>['securityContext']> {
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])];
  return {
    namespaceOptions: {
      network: spec?.hostNetwork ? 'NODE' : 'POD',
      pid: spec?.hostPID ? 'NODE' : spec?.shareProcessNamespace ? 'POD' : 'CONTAINER',
      ipc: spec?.hostIPC ? 'NODE' : 'POD',
    },
    ...(containers.some((c) => c.securityContext?.privileged === true) ? { privileged: true } : {}),
  };
}

export interface SandboxInputs {
  pod: Pod;
  attempt: number;
  dataDir: string;
  /** the node's DNS facts; the pod's settings come from them by its dnsPolicy (dns-config.ts) */
  dns: NodeDnsConfig;
  os: HostOs;
  /** the platform's podResourceParent: on Linux the pod's cgroup parent */
  resourceParent: string | undefined;
  runtimeHandler: string;
}

export function sandboxConfig(i: SandboxInputs): SandboxConfig {
  const { pod } = i;
  const { dns, warnings } = podDnsSettings(pod, i.dns, i.os);
  for (const w of warnings) i.dns.onWarning?.(pod, w);
  const cfg: SandboxConfig = {
    name: pod.metadata.name ?? '',
    namespace: pod.metadata.namespace ?? '',
    uid: pod.metadata.uid ?? '',
    attempt: i.attempt,
    hostname: podHostname(pod),
    logDirectory: podLogDirectory(i.dataDir, pod),
    dnsServers: dns.servers,
    dnsSearches: dns.searches,
    dnsOptions: dns.options,
    portMappings: portMappings(pod),
    labels: { ...(pod.metadata.labels ?? {}), ...podLabels(pod) },
    annotations: { ...(pod.metadata.annotations ?? {}) },
    runtimeHandler: i.runtimeHandler,
  };
  if (pod.spec?.hostNetwork) cfg.hostNetwork = true;
  switch (i.os) {
    case 'linux':
      cfg.linux = {
        ...(i.resourceParent ? { cgroupParent: i.resourceParent } : {}),
        securityContext: linuxSandboxSecurity(pod.spec),
        ...sandboxResources(pod.spec),
      };
      break;
    case 'windows':
      cfg.windows = { securityContext: windowsSandboxSecurity(pod.spec) };
      break;
    default: {
      const never: never = i.os;
      throw new Error(`no sandbox section for OS ${String(never)}`);
    }
  }
  return cfg;
}

export interface ContainerInputs {
  pod: Pod;
  container: Container;
  attempt: number;
  image: string;
  envs: KeyValue[];
  command: string[];
  args: string[];
  mounts: Mount[];
  qosClass: string;
  os: HostOs;
  /** the host's memory in bytes (Linux: oom_score_adj of Burstable pods) and processors (Windows: cpu maximum) */
  memoryCapacity: number;
  cpuCapacity: number;
}

export function containerConfig(i: ContainerInputs): ContainerConfig {
  const c = i.container;
  const cfg: ContainerConfig = {
    name: c.name,
    attempt: i.attempt,
    image: i.image,
    command: i.command,
    args: i.args,
    envs: i.envs,
    mounts: i.mounts,
    logPath: `${c.name}/${i.attempt}.log`,
    labels: { ...podLabels(i.pod), [CONTAINER_NAME_LABEL]: c.name },
    annotations: { 'io.kubernetes.container.restartCount': String(i.attempt) },
  };
  const podSc = i.pod.spec?.securityContext;
  switch (i.os) {
    case 'linux':
      cfg.linux = { resources: linuxResources(c, i.qosClass, i.memoryCapacity), securityContext: linuxSecurity(c, podSc) };
      break;
    case 'windows':
      cfg.windows = { resources: windowsResources(c, i.cpuCapacity), securityContext: windowsContainerSecurity(c, podSc) };
      break;
    default: {
      const never: never = i.os;
      throw new Error(`no container section for OS ${String(never)}`);
    }
  }
  if (c.workingDir) cfg.workingDir = c.workingDir;
  if (c.stdin) cfg.stdin = true;
  if (c.stdinOnce) cfg.stdinOnce = true;
  if (c.tty) cfg.tty = true;
  return cfg;
}
