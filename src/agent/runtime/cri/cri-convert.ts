// Mapping between the agent's camelCase runtime types and the CRI wire messages: a `linux` or
// `windows` section of a request becomes the CRI message of the same name.
import type {
  ContainerConfig,
  ContainerState,
  ContainerStats,
  ContainerStatus,
  ImageInfo,
  LinuxContainerConfig,
  LinuxContainerResources,
  Mount,
  NamespaceOptions,
  SandboxConfig,
  SandboxStatus,
  WindowsContainerResources,
  WindowsContainerSecurityContext,
  WindowsSandboxSecurityContext,
} from '../runtime.js';
import type {
  WireContainer,
  WireContainerConfig,
  WireContainerState,
  WireContainerStats,
  WireWindowsContainerStats,
  WireContainerStatus,
  WireImage,
  WireLinuxResources,
  WirePodSandbox,
  WirePodSandboxConfig,
  WirePodSandboxStatus,
  WirePropagation,
  WireWindowsResources,
  WireWindowsSecurityContext,
} from './cri-wire.js';

/** The sandbox's namespaces, which its containers share: as the agent set them, else from `hostNetwork`. */
function namespaceOptions(sandbox: SandboxConfig): NamespaceOptions {
  return (
    sandbox.linux?.securityContext?.namespaceOptions ?? { network: sandbox.hostNetwork ? 'NODE' : 'POD', pid: 'CONTAINER', ipc: 'POD' }
  );
}

export function toWireSandboxConfig(c: SandboxConfig): WirePodSandboxConfig {
  const w: WirePodSandboxConfig = {
    metadata: { name: c.name, uid: c.uid, namespace: c.namespace, attempt: c.attempt },
    hostname: c.hostname,
    log_directory: c.logDirectory,
    port_mappings: c.portMappings.map((p) => ({
      protocol: p.protocol,
      container_port: p.containerPort,
      host_port: p.hostPort ?? 0,
      host_ip: p.hostIp ?? '',
    })),
    labels: c.labels,
    annotations: c.annotations,
  };
  if (c.linux) {
    w.linux = {
      cgroup_parent: c.linux.cgroupParent ?? '',
      security_context: {
        namespace_options: { ...namespaceOptions(c) },
        ...(c.linux.securityContext?.privileged ? { privileged: true } : {}),
      },
    };
    if (c.linux.overhead) w.linux.overhead = toWireResources(c.linux.overhead);
    if (c.linux.resources) w.linux.resources = toWireResources(c.linux.resources);
  }
  if (c.windows) w.windows = { security_context: toWireWindowsSecurity(c.windows.securityContext ?? {}) };
  if (c.dnsServers?.length || c.dnsSearches?.length || c.dnsOptions?.length) {
    w.dns_config = { servers: c.dnsServers ?? [], searches: c.dnsSearches ?? [], options: c.dnsOptions ?? [] };
  }
  return w;
}

const propagation: Record<NonNullable<Mount['propagation']>, WirePropagation> = {
  private: 'PROPAGATION_PRIVATE',
  hostToContainer: 'PROPAGATION_HOST_TO_CONTAINER',
  bidirectional: 'PROPAGATION_BIDIRECTIONAL',
};

function toWireWindowsSecurity(s: WindowsSandboxSecurityContext | WindowsContainerSecurityContext): WireWindowsSecurityContext {
  return { run_as_username: s.runAsUsername ?? '', credential_spec: s.credentialSpec ?? '', host_process: s.hostProcess ?? false };
}

export function toWireWindowsResources(r: WindowsContainerResources): WireWindowsResources {
  const w: WireWindowsResources = {};
  if (r.cpuShares !== undefined) w.cpu_shares = r.cpuShares;
  if (r.cpuCount !== undefined) w.cpu_count = r.cpuCount;
  if (r.cpuMaximum !== undefined) w.cpu_maximum = r.cpuMaximum;
  if (r.memoryLimitInBytes !== undefined) w.memory_limit_in_bytes = r.memoryLimitInBytes;
  if (r.rootfsSizeInBytes !== undefined) w.rootfs_size_in_bytes = r.rootfsSizeInBytes;
  return w;
}

export function toWireResources(r: LinuxContainerResources): WireLinuxResources {
  const w: WireLinuxResources = {};
  if (r.cpuPeriod !== undefined) w.cpu_period = r.cpuPeriod;
  if (r.cpuQuota !== undefined) w.cpu_quota = r.cpuQuota;
  if (r.cpuShares !== undefined) w.cpu_shares = r.cpuShares;
  if (r.memoryLimitInBytes !== undefined) w.memory_limit_in_bytes = r.memoryLimitInBytes;
  if (r.oomScoreAdj !== undefined) w.oom_score_adj = r.oomScoreAdj;
  return w;
}

export function toWireContainerConfig(c: ContainerConfig, sandbox: SandboxConfig): WireContainerConfig {
  const w: WireContainerConfig = {
    metadata: { name: c.name, attempt: c.attempt },
    image: { image: c.image },
    command: c.command,
    args: c.args,
    working_dir: c.workingDir ?? '',
    envs: c.envs.map((e) => ({ key: e.key, value: e.value })),
    mounts: c.mounts.map((m) => ({
      container_path: m.containerPath,
      host_path: m.hostPath,
      readonly: m.readonly ?? false,
      selinux_relabel: m.selinuxRelabel ?? false,
      propagation: propagation[m.propagation ?? 'private'],
    })),
    labels: c.labels,
    annotations: c.annotations,
    log_path: c.logPath,
    stdin: c.stdin ?? false,
    stdin_once: c.stdinOnce ?? false,
    tty: c.tty ?? false,
  };
  if (c.linux) w.linux = toWireLinuxContainer(c.linux, sandbox);
  if (c.windows) {
    w.windows = {
      resources: toWireWindowsResources(c.windows.resources ?? {}),
      security_context: toWireWindowsSecurity(c.windows.securityContext ?? {}),
    };
  }
  return w;
}

function toWireLinuxContainer(l: LinuxContainerConfig, sandbox: SandboxConfig): NonNullable<WireContainerConfig['linux']> {
  const sc = l.securityContext ?? {};
  return {
    resources: l.resources ? toWireResources(l.resources) : {},
    security_context: {
      namespace_options: { ...namespaceOptions(sandbox) },
      privileged: sc.privileged ?? false,
      readonly_rootfs: sc.readonlyRootfs ?? false,
      ...(sc.runAsUser !== undefined ? { run_as_user: { value: sc.runAsUser } } : {}),
      ...(sc.runAsGroup !== undefined ? { run_as_group: { value: sc.runAsGroup } } : {}),
      ...(sc.capabilities ? { capabilities: { add_capabilities: sc.capabilities.add, drop_capabilities: sc.capabilities.drop } } : {}),
    },
  };
}

export function fromWireSandboxStatus(s: WirePodSandboxStatus): SandboxStatus {
  const ip = s.network?.ip;
  return {
    id: s.id,
    state: s.state === 'SANDBOX_READY' ? 'ready' : 'notready',
    createdAt: s.created_at,
    ...(ip ? { ip } : {}),
    additionalIps: (s.network?.additional_ips ?? []).map((x) => x.ip).filter((x) => x),
    name: s.metadata?.name ?? '',
    namespace: s.metadata?.namespace ?? '',
    uid: s.metadata?.uid ?? '',
    attempt: s.metadata?.attempt ?? 0,
    labels: s.labels,
    annotations: s.annotations,
  };
}

export function fromWireSandbox(s: WirePodSandbox): SandboxStatus {
  return {
    id: s.id,
    state: s.state === 'SANDBOX_READY' ? 'ready' : 'notready',
    createdAt: s.created_at,
    additionalIps: [],
    name: s.metadata?.name ?? '',
    namespace: s.metadata?.namespace ?? '',
    uid: s.metadata?.uid ?? '',
    attempt: s.metadata?.attempt ?? 0,
    labels: s.labels,
    annotations: s.annotations,
  };
}

const states: Record<WireContainerState, ContainerState> = {
  CONTAINER_CREATED: 'created',
  CONTAINER_RUNNING: 'running',
  CONTAINER_EXITED: 'exited',
  CONTAINER_UNKNOWN: 'unknown',
};

export function fromWireContainerStatus(s: WireContainerStatus): ContainerStatus {
  return {
    id: s.id,
    name: s.metadata?.name ?? '',
    attempt: s.metadata?.attempt ?? 0,
    state: states[s.state] ?? 'unknown',
    createdAt: s.created_at,
    startedAt: s.started_at,
    finishedAt: s.finished_at,
    exitCode: s.exit_code,
    reason: s.reason,
    message: s.message,
    image: s.image?.image ?? '',
    imageRef: s.image_ref,
    labels: s.labels,
    annotations: s.annotations,
    logPath: s.log_path,
  };
}

/** ListContainers carries no times beyond creation and no exit facts: those need ContainerStatus. */
export function fromWireContainer(c: WireContainer): ContainerStatus {
  return {
    id: c.id,
    sandboxId: c.pod_sandbox_id,
    name: c.metadata?.name ?? '',
    attempt: c.metadata?.attempt ?? 0,
    state: states[c.state] ?? 'unknown',
    createdAt: c.created_at,
    startedAt: 0,
    finishedAt: 0,
    exitCode: 0,
    reason: '',
    message: '',
    image: c.image?.image ?? '',
    imageRef: c.image_ref,
    labels: c.labels,
    annotations: c.annotations,
    logPath: '',
  };
}

export function fromWireContainerStats(s: WireContainerStats, sandboxId?: string): ContainerStats {
  return {
    id: s.attributes?.id ?? '',
    name: s.attributes?.metadata?.name ?? '',
    ...(sandboxId ? { sandboxId } : {}),
    cpuUsageCoreNanoSeconds: s.cpu?.usage_core_nano_seconds?.value ?? 0,
    cpuUsageNanoCores: s.cpu?.usage_nano_cores?.value ?? 0,
    memoryWorkingSetBytes: s.memory?.working_set_bytes?.value ?? 0,
    memoryUsageBytes: s.memory?.usage_bytes?.value ?? 0,
    memoryRssBytes: s.memory?.rss_bytes?.value ?? 0,
    timestamp: s.cpu?.timestamp || s.memory?.timestamp || 0,
  };
}

/**
 * hcsshim's container figures in the common shape, as the kubelet reads them: the working set is the
 * working set, usage is the commit charge (physical memory plus page file in use), and Windows has
 * no RSS figure (0).
 */
export function fromWireWindowsContainerStats(s: WireWindowsContainerStats, sandboxId?: string): ContainerStats {
  return {
    id: s.attributes?.id ?? '',
    name: s.attributes?.metadata?.name ?? '',
    ...(sandboxId ? { sandboxId } : {}),
    cpuUsageCoreNanoSeconds: s.cpu?.usage_core_nano_seconds?.value ?? 0,
    cpuUsageNanoCores: s.cpu?.usage_nano_cores?.value ?? 0,
    memoryWorkingSetBytes: s.memory?.working_set_bytes?.value ?? 0,
    memoryUsageBytes: s.memory?.commit_memory_bytes?.value ?? 0,
    memoryRssBytes: 0,
    timestamp: s.cpu?.timestamp || s.memory?.timestamp || 0,
  };
}

export function fromWireImage(i: WireImage): ImageInfo {
  return { id: i.id, repoTags: i.repo_tags, repoDigests: i.repo_digests, size: i.size };
}
