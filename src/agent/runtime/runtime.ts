// The one runtime interface the node agent drives: CRI-shaped (pod sandboxes, containers, images,
// streaming URLs, stats). Implementations: `cri/` (containerd over gRPC, Linux and Windows),
// later `process/` (native processes) and test fakes. Field names follow the CRI's meaning in
// camelCase; times are nanoseconds since the epoch as numbers. What only one OS has travels in
// `linux` and `windows` sections, as in the CRI messages.

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface PortMapping {
  protocol: Protocol;
  containerPort: number;
  hostPort?: number;
  hostIp?: string;
}
export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
  selinuxRelabel?: boolean;
  propagation?: 'private' | 'hostToContainer' | 'bidirectional';
}
export interface KeyValue {
  key: string;
  value: string;
}

/**
 * Whose namespace a pod's processes are in (CRI NamespaceMode): the pod's own, shared by its
 * containers (POD); each container's own (CONTAINER, the default for PID); the node's (NODE).
 */
type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE';

/** CRI NamespaceOption; the containers of a pod are created with their sandbox's. */
export interface NamespaceOptions {
  network: NamespaceMode;
  pid: NamespaceMode;
  ipc: NamespaceMode;
}

/** CRI LinuxSandboxSecurityContext, the parts the agent sets. */
interface LinuxSandboxSecurityContext {
  /** absent: network from `hostNetwork`, PID per container, IPC shared by the pod */
  namespaceOptions?: NamespaceOptions;
  /** a container of the pod is privileged (the runtime refuses privileged containers in a sandbox without it) */
  privileged?: boolean;
}

/** The Linux part of a pod sandbox (CRI LinuxPodSandboxConfig). */
interface LinuxSandboxConfig {
  /** the pod's cgroup parent (containerd's pod stats need it) */
  cgroupParent?: string;
  securityContext?: LinuxSandboxSecurityContext;
  /** the pod's spec.overhead as cgroup settings (requests = limits), for runtimes that size the sandbox */
  overhead?: LinuxContainerResources;
  /** the pod's requests and limits without the overhead (CRI LinuxPodSandboxConfig.resources) */
  resources?: LinuxContainerResources;
}

/** Who a Windows pod's sandbox runs as (CRI WindowsSandboxSecurityContext). */
export interface WindowsSandboxSecurityContext {
  runAsUsername?: string;
  /** the contents of the gMSA credential spec */
  credentialSpec?: string;
  /** every container of the pod is a HostProcess container */
  hostProcess?: boolean;
}

/** The Windows part of a pod sandbox (CRI WindowsPodSandboxConfig). */
interface WindowsSandboxConfig {
  securityContext?: WindowsSandboxSecurityContext;
}

export interface SandboxConfig {
  name: string;
  namespace: string;
  uid: string;
  attempt: number;
  hostname: string;
  /** directory for container logs: <root>/pods/<ns>_<name>_<uid> */
  logDirectory: string;
  dnsServers?: string[];
  dnsSearches?: string[];
  dnsOptions?: string[];
  portMappings: PortMapping[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  hostNetwork?: boolean;
  /** RuntimeClass handler ('' = default) */
  runtimeHandler: string;
  /** set for pods on a Linux host */
  linux?: LinuxSandboxConfig;
  /** set for pods on a Windows host */
  windows?: WindowsSandboxConfig;
}

/** CRI LinuxContainerResources: cgroup settings. */
export interface LinuxContainerResources {
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuShares?: number;
  memoryLimitInBytes?: number;
  oomScoreAdj?: number;
}

/** CRI WindowsContainerResources: job object limits; 0 or absent means not limited. */
export interface WindowsContainerResources {
  cpuShares?: number;
  cpuCount?: number;
  /** the share of the host's processor cycles, in hundredths of a percent (10000 = all of them) */
  cpuMaximum?: number;
  memoryLimitInBytes?: number;
  rootfsSizeInBytes?: number;
}

/** A container's resources on either OS (CRI ContainerResources, UpdateContainerResourcesRequest). */
export interface ContainerResources {
  linux?: LinuxContainerResources;
  windows?: WindowsContainerResources;
}

/** CRI LinuxContainerSecurityContext (runAsNonRoot is the agent's own check, not sent). */
export interface LinuxContainerSecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  readonlyRootfs?: boolean;
  privileged?: boolean;
  capabilities?: { add: string[]; drop: string[] };
}

/** The Linux part of a container (CRI LinuxContainerConfig). */
export interface LinuxContainerConfig {
  resources?: LinuxContainerResources;
  securityContext?: LinuxContainerSecurityContext;
}

/** Who a Windows container runs as (CRI WindowsContainerSecurityContext). */
export interface WindowsContainerSecurityContext {
  runAsUsername?: string;
  /** the contents of the gMSA credential spec */
  credentialSpec?: string;
  hostProcess?: boolean;
}

/** The Windows part of a container (CRI WindowsContainerConfig). */
interface WindowsContainerConfig {
  resources?: WindowsContainerResources;
  securityContext?: WindowsContainerSecurityContext;
}

export interface ContainerConfig {
  name: string;
  attempt: number;
  image: string;
  command: string[];
  args: string[];
  workingDir?: string;
  envs: KeyValue[];
  mounts: Mount[];
  /** relative to the sandbox logDirectory, e.g. `web/0.log` */
  logPath: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** set for containers on a Linux host */
  linux?: LinuxContainerConfig;
  /** set for containers on a Windows host */
  windows?: WindowsContainerConfig;
}

type SandboxState = 'ready' | 'notready';
export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface SandboxStatus {
  id: string;
  state: SandboxState;
  createdAt: number;
  ip?: string;
  additionalIps: string[];
  name: string;
  namespace: string;
  uid: string;
  attempt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerStatus {
  id: string;
  sandboxId?: string;
  name: string;
  attempt: number;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  image: string;
  imageRef: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  logPath: string;
}

export interface ContainerStats {
  id: string;
  name: string;
  sandboxId?: string;
  /** cumulative CPU in ns, and the current rate in nanocores (0 on the first sample) */
  cpuUsageCoreNanoSeconds: number;
  cpuUsageNanoCores: number;
  memoryWorkingSetBytes: number;
  memoryUsageBytes: number;
  memoryRssBytes: number;
  timestamp: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
}

interface RuntimeVersion {
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}
export interface RuntimeCondition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}
export interface RuntimeHandlerInfo {
  name: string;
  recursiveReadOnlyMounts?: boolean;
  userNamespaces?: boolean;
}

export interface ImageInfo {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
}
export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  serverAddress?: string;
  identityToken?: string;
  registryToken?: string;
}

/** Options of an exec or attach session. */
export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * A session a runtime serves in-process instead of through a streaming URL (runtime/process: no
 * stream server of its own). `exit` resolves with the exit code once the process has ended and its
 * output streams are drained; `close` ends the session early (the exec'd process is killed).
 */
export interface DirectStream {
  stdin?: NodeJS.WritableStream;
  stdout?: NodeJS.ReadableStream;
  stderr?: NodeJS.ReadableStream;
  exit: Promise<number>;
  resize?(size: { width: number; height: number }): void;
  close(): void;
}

/** Raised by execSync when the command outlives its timeout (CRI: DEADLINE_EXCEEDED). */
export class ExecTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecTimeoutError';
  }
}
/** Raised when a sandbox, container or image does not exist. */
export class RuntimeNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeNotFoundError';
  }
}

export interface Runtime {
  readonly name: string;
  version(): Promise<RuntimeVersion>;
  /** RuntimeReady / NetworkReady conditions */
  status(): Promise<RuntimeCondition[]>;
  runtimeHandlers(): Promise<RuntimeHandlerInfo[]>;

  runPodSandbox(cfg: SandboxConfig): Promise<string>;
  stopPodSandbox(id: string): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<SandboxStatus>;
  listPodSandboxes(filter?: { labels?: Record<string, string> }): Promise<SandboxStatus[]>;

  createContainer(sandboxId: string, cfg: ContainerConfig, sandbox: SandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  containerStatus(id: string): Promise<ContainerStatus>;
  listContainers(filter?: { sandboxId?: string; labels?: Record<string, string> }): Promise<ContainerStatus[]>;
  updateContainerResources(id: string, resources: ContainerResources): Promise<void>;
  reopenContainerLog(id: string): Promise<void>;
  /**
   * Optional: why the resource limits a container asked for are not enforced on this node (no cgroups,
   * no job objects), in words for a pod event; undefined when they are, or when it asked for none.
   */
  unenforcedLimits?(id: string): Promise<string | undefined>;

  execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecResult>;
  /** Streaming URLs served by the runtime (WebSocket, v4.channel.k8s.io) */
  exec(id: string, cmd: string[], opts: { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }): Promise<string>;
  attach(id: string, opts: { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }): Promise<string>;
  portForward(sandboxId: string, ports: number[]): Promise<string>;
  /**
   * Optional: exec/attach served directly (no URL). Undefined (the method, or its answer) means the
   * runtime serves URLs through exec/attach instead.
   */
  openStream?(id: string, kind: 'exec' | 'attach', cmd: string[], opts: StreamOptions): Promise<DirectStream | undefined>;

  pullImage(image: string, auth?: AuthConfig, sandbox?: SandboxConfig): Promise<string>;
  /** `runtimeHandler`: the handler the image is for (CRI ImageSpec.runtime_handler; '' = default) */
  imageStatus(image: string, runtimeHandler?: string): Promise<ImageInfo | undefined>;
  listImages(): Promise<ImageInfo[]>;
  removeImage(image: string): Promise<void>;

  listContainerStats(filter?: { sandboxId?: string }): Promise<ContainerStats[]>;

  close(): Promise<void>;
}
