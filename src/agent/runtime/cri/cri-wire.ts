// Wire shapes of the CRI messages as proto-codec.ts decodes them (snake_case names, longs as
// numbers, enums as strings, defaults on). Requests may omit fields; responses carry every scalar
// and `null` for an absent sub-message.

type Map = Record<string, string>;
type WireProtocol = 'TCP' | 'UDP' | 'SCTP';
type WireNamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
type WireSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type WireContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
export type WirePropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';

interface WireImageSpec {
  image: string;
  annotations?: Map;
  user_specified_image?: string;
  runtime_handler?: string;
}
interface WireUInt64 {
  value: number;
}

export interface WireLinuxResources {
  cpu_period?: number;
  cpu_quota?: number;
  cpu_shares?: number;
  memory_limit_in_bytes?: number;
  oom_score_adj?: number;
  cpuset_cpus?: string;
  cpuset_mems?: string;
  unified?: Map;
  memory_swap_limit_in_bytes?: number;
}
export interface WireWindowsResources {
  cpu_shares?: number;
  cpu_count?: number;
  cpu_maximum?: number;
  memory_limit_in_bytes?: number;
  rootfs_size_in_bytes?: number;
}
/** WindowsSandboxSecurityContext and WindowsContainerSecurityContext share these fields. */
export interface WireWindowsSecurityContext {
  run_as_username?: string;
  credential_spec?: string;
  host_process?: boolean;
}

interface WirePodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface WirePodSandboxConfig {
  metadata: WirePodSandboxMetadata;
  hostname?: string;
  log_directory?: string;
  dns_config?: { servers?: string[]; searches?: string[]; options?: string[] };
  port_mappings?: { protocol: WireProtocol; container_port: number; host_port?: number; host_ip?: string }[];
  labels?: Map;
  annotations?: Map;
  linux?: {
    cgroup_parent?: string;
    security_context?: {
      namespace_options?: { network?: WireNamespaceMode; pid?: WireNamespaceMode; ipc?: WireNamespaceMode };
      privileged?: boolean;
    };
    sysctls?: Map;
    overhead?: WireLinuxResources;
    resources?: WireLinuxResources;
  };
  windows?: { security_context?: WireWindowsSecurityContext };
}

export interface WireContainerConfig {
  metadata: { name: string; attempt: number };
  image: WireImageSpec;
  command?: string[];
  args?: string[];
  working_dir?: string;
  envs?: { key: string; value: string }[];
  mounts?: { container_path: string; host_path: string; readonly?: boolean; selinux_relabel?: boolean; propagation?: WirePropagation }[];
  labels?: Map;
  annotations?: Map;
  log_path?: string;
  stdin?: boolean;
  stdin_once?: boolean;
  tty?: boolean;
  linux?: {
    resources?: WireLinuxResources;
    security_context?: {
      capabilities?: { add_capabilities: string[]; drop_capabilities: string[] };
      privileged?: boolean;
      namespace_options?: { network?: WireNamespaceMode; pid?: WireNamespaceMode; ipc?: WireNamespaceMode };
      run_as_user?: { value: number };
      run_as_group?: { value: number };
      readonly_rootfs?: boolean;
    };
  };
  windows?: { resources?: WireWindowsResources; security_context?: WireWindowsSecurityContext };
}

interface WireVersionResponse {
  version: string;
  runtime_name: string;
  runtime_version: string;
  runtime_api_version: string;
}
interface WireStatusResponse {
  status: { conditions: { type: string; status: boolean; reason: string; message: string }[] } | null;
  info: Map;
  runtime_handlers: { name: string; features: { recursive_read_only_mounts: boolean; user_namespaces: boolean } | null }[];
}

export interface WirePodSandboxStatus {
  id: string;
  metadata: WirePodSandboxMetadata | null;
  state: WireSandboxState;
  created_at: number;
  network: { ip: string; additional_ips: { ip: string }[] } | null;
  labels: Map;
  annotations: Map;
  runtime_handler: string;
}
export interface WirePodSandbox {
  id: string;
  metadata: WirePodSandboxMetadata | null;
  state: WireSandboxState;
  created_at: number;
  labels: Map;
  annotations: Map;
  runtime_handler: string;
}

export interface WireContainer {
  id: string;
  pod_sandbox_id: string;
  metadata: { name: string; attempt: number } | null;
  image: WireImageSpec | null;
  image_ref: string;
  state: WireContainerState;
  created_at: number;
  labels: Map;
  annotations: Map;
}
export interface WireContainerStatus {
  id: string;
  metadata: { name: string; attempt: number } | null;
  state: WireContainerState;
  created_at: number;
  started_at: number;
  finished_at: number;
  exit_code: number;
  image: WireImageSpec | null;
  image_ref: string;
  reason: string;
  message: string;
  labels: Map;
  annotations: Map;
  log_path: string;
}

export interface WireContainerStats {
  attributes: { id: string; metadata: { name: string; attempt: number } | null; labels: Map; annotations: Map } | null;
  cpu: { timestamp: number; usage_core_nano_seconds: WireUInt64 | null; usage_nano_cores: WireUInt64 | null } | null;
  memory: {
    timestamp: number;
    working_set_bytes: WireUInt64 | null;
    available_bytes: WireUInt64 | null;
    usage_bytes: WireUInt64 | null;
    rss_bytes: WireUInt64 | null;
    page_faults: WireUInt64 | null;
    major_page_faults: WireUInt64 | null;
  } | null;
  writable_layer: { used_bytes: WireUInt64 | null } | null;
}

interface WirePodSandboxStats {
  attributes: { id: string; metadata: WirePodSandboxMetadata | null; labels: Map; annotations: Map } | null;
  linux: {
    cpu: WireContainerStats['cpu'];
    memory: WireContainerStats['memory'];
    network: {
      timestamp: number;
      default_interface: { name: string; rx_bytes: WireUInt64 | null; tx_bytes: WireUInt64 | null } | null;
    } | null;
    process: { process_count: WireUInt64 | null } | null;
    containers: WireContainerStats[];
  } | null;
  /** hcsshim's figures (containerd on Windows); absent in cri-api before v0.26 */
  windows: {
    cpu: WireContainerStats['cpu'];
    memory: WireWindowsMemory;
    process: { process_count: WireUInt64 | null } | null;
    containers: WireWindowsContainerStats[];
  } | null;
}

/** WindowsMemoryUsage: no usage/rss; commit memory = physical + page file in use. */
type WireWindowsMemory = {
  timestamp: number;
  working_set_bytes: WireUInt64 | null;
  available_bytes: WireUInt64 | null;
  page_faults: WireUInt64 | null;
  commit_memory_bytes: WireUInt64 | null;
} | null;

export interface WireWindowsContainerStats {
  attributes: WireContainerStats['attributes'];
  cpu: WireContainerStats['cpu'];
  memory: WireWindowsMemory;
  writable_layer: { used_bytes: WireUInt64 | null } | null;
}

export interface WireImage {
  id: string;
  repo_tags: string[];
  repo_digests: string[];
  size: number;
}
interface WireFilesystemUsage {
  timestamp: number;
  fs_id: { mountpoint: string } | null;
  used_bytes: WireUInt64 | null;
  inodes_used: WireUInt64 | null;
}

/** Request and response type of every RPC the client calls, by RPC name. */
export interface CriMethods {
  Version: [{ version: string }, WireVersionResponse];
  Status: [{ verbose: boolean }, WireStatusResponse];
  RunPodSandbox: [{ config: WirePodSandboxConfig; runtime_handler: string }, { pod_sandbox_id: string }];
  StopPodSandbox: [{ pod_sandbox_id: string }, object];
  RemovePodSandbox: [{ pod_sandbox_id: string }, object];
  PodSandboxStatus: [{ pod_sandbox_id: string; verbose: boolean }, { status: WirePodSandboxStatus | null; info: Map }];
  ListPodSandbox: [{ filter?: { id?: string; label_selector?: Map } }, { items: WirePodSandbox[] }];
  CreateContainer: [
    { pod_sandbox_id: string; config: WireContainerConfig; sandbox_config: WirePodSandboxConfig },
    { container_id: string },
  ];
  StartContainer: [{ container_id: string }, object];
  StopContainer: [{ container_id: string; timeout: number }, object];
  RemoveContainer: [{ container_id: string }, object];
  ListContainers: [{ filter?: { id?: string; pod_sandbox_id?: string; label_selector?: Map } }, { containers: WireContainer[] }];
  ContainerStatus: [{ container_id: string; verbose: boolean }, { status: WireContainerStatus | null; info: Map }];
  UpdateContainerResources: [{ container_id: string; linux?: WireLinuxResources; windows?: WireWindowsResources }, object];
  ReopenContainerLog: [{ container_id: string }, object];
  ExecSync: [{ container_id: string; cmd: string[]; timeout: number }, { stdout: Buffer; stderr: Buffer; exit_code: number }];
  Exec: [{ container_id: string; cmd: string[]; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean }, { url: string }];
  Attach: [{ container_id: string; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean }, { url: string }];
  PortForward: [{ pod_sandbox_id: string; port: number[] }, { url: string }];
  ContainerStats: [{ container_id: string }, { stats: WireContainerStats | null }];
  ListContainerStats: [{ filter?: { id?: string; pod_sandbox_id?: string; label_selector?: Map } }, { stats: WireContainerStats[] }];
  ListPodSandboxStats: [{ filter?: { id?: string; label_selector?: Map } }, { stats: WirePodSandboxStats[] }];
  ListImages: [{ filter?: { image?: WireImageSpec } }, { images: WireImage[] }];
  ImageStatus: [{ image: WireImageSpec; verbose: boolean }, { image: WireImage | null; info: Map }];
  PullImage: [{ image: WireImageSpec; auth?: Record<string, string>; sandbox_config?: WirePodSandboxConfig }, { image_ref: string }];
  RemoveImage: [{ image: WireImageSpec }, object];
  ImageFsInfo: [object, { image_filesystems: WireFilesystemUsage[]; container_filesystems: WireFilesystemUsage[] }];
}

export type CriMethod = keyof CriMethods;
export const imageMethods: ReadonlySet<CriMethod> = new Set<CriMethod>([
  'ListImages',
  'ImageStatus',
  'PullImage',
  'RemoveImage',
  'ImageFsInfo',
]);
