// What the agent needs from its host OS; chosen at start-up from process.platform
// (platform/linux or platform/windows). platform/linux and platform/windows import only this folder.

export interface HostInfo {
  os: 'linux' | 'windows';
  arch: string;            // amd64, arm64
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

export interface PressureInfo { memory: boolean; disk: boolean; pid: boolean }

/** A container runtime the platform can start and supervise for the agent (containerd, k3s-style). */
export interface ManagedRuntime {
  /** gRPC endpoint, e.g. unix:///DATA/containerd/containerd.sock */
  endpoint: string;
  stop(): Promise<void>;
}

export interface Platform {
  hostInfo(): Promise<HostInfo>;
  pressure(): Promise<PressureInfo>;
  /** Starts a private containerd configured for the node's pod CIDR; undefined when none is installed. */
  startRuntime(opts: { dataDir: string; podCidr: string }): Promise<ManagedRuntime | undefined>;
  /** Removes what the runtime leaves behind for a pod (e.g. Linux cgroup directories). */
  cleanupPod(podUid: string, cgroupParent: string | undefined): Promise<void>;
  /** The cgroup parent for a pod (Linux) */
  podCgroupParent(podUid: string, qosClass: string): string | undefined;
}
