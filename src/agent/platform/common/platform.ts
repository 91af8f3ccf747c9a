// What the agent needs from its host OS, in words every OS has; platform/index.ts picks the one for
// process.platform (platform/linux, later platform/windows), which import only this folder.

export interface HostInfo {
  os: 'linux' | 'windows';
  arch: string; // amd64, arm64
  hostname: string;
  kernelVersion: string;
  osImage: string;
  /** Windows: major.minor.build, e.g. 10.0.20348 */
  windowsBuild?: string;
  machineId: string;
  systemUuid: string;
  bootId: string;
  cpuCores: number;
  memoryBytes: number;
  /** bytes on the filesystem holding the data dir */
  ephemeralStorageBytes: number;
  addresses: { type: 'InternalIP' | 'Hostname'; address: string }[];
}

export interface PressureInfo {
  memory: boolean;
  disk: boolean;
  pid: boolean;
}

/** A container runtime the platform can start and supervise for the agent (containerd, k3s-style). */
export interface ManagedRuntime {
  /** gRPC endpoint, e.g. unix:///DATA/containerd/containerd.sock */
  endpoint: string;
  stop(): Promise<void>;
}

export interface Platform {
  hostInfo(): Promise<HostInfo>;
  pressure(): Promise<PressureInfo>;
  /** Why this host cannot run pods, in plain language with how to fix it; undefined when it can. */
  whyUnavailable(): string | undefined;
  /** Starts a private runtime (containerd) configured for the node's pod CIDR; undefined when it cannot (see whyUnavailable). */
  startRuntime(opts: { dataDir: string; podCidr: string }): Promise<ManagedRuntime | undefined>;
  /**
   * Where the runtime puts a pod's resources, by the pod's QoS class; the agent passes it on in the
   * sandbox's OS section (on Linux it is the pod's cgroup parent). Undefined where the OS has none.
   */
  podResourceParent(podUid: string, qosClass: string): string | undefined;
  /** Removes what the runtime leaves behind for a pod once its sandboxes are gone. */
  cleanupPod(podUid: string): Promise<void>;
}
