// What the pod workers share: the runtime, the API, host facts, back-off tables, probes and the
// per-pod memory (waiting reasons, the last status written).

import type { ClaimSource } from '../volumes/claims.js';
import type { Pod, PodStatus, Service } from '../../api/gen/types.js';
import type { WindowsHost } from '../../api/scheduling/windows-pod-isolation.js';
import type { ImageFactsSource } from '../../client/registry/image-facts.js';
import type { AdmitResult } from './admit.js';
import type { Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import type { RestClient } from '../../client/rest-client.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Platform } from '../platform/common/platform.js';
import type { Runtime } from '../runtime/runtime.js';
import type { ProbeManager } from '../probes/probe-manager.js';
import type { CrashBackoff } from './crash-backoff.js';
import type { ObjectSource } from './object-source.js';
import type { NodeDnsConfig } from './dns-config.js';
import type { HostOs } from './runtime-config.js';
import type { Waiting } from './status.js';
import type { SecretMedium } from '../volumes/secret-medium.js';
import type { ServiceAccountTokens } from '../volumes/token-manager.js';

export interface PodMemory {
  waiting: Map<string, Waiting>;
  lastStatus?: PodStatus;
  lastStatusJson?: string;
  /** when the pod's last image pull failed, by image */
  pullFailedAt: Map<string, number>;
  /** the pod was torn down and deleted: nothing more to do */
  finished?: boolean;
  /** the pod was told (once) that the runtime does not enforce its containers' limits */
  limitsWarned?: boolean;
  /** admitted to this node (admit.ts); a pod found running at start counts as admitted */
  admitted?: boolean;
}

export interface PodContext {
  client: RestClient;
  runtime: Runtime;
  platform: Platform;
  objects: ObjectSource;
  events: EventRecorder;
  probes: ProbeManager;
  crashBackoff: CrashBackoff;
  imageBackoff: CrashBackoff;
  clock: Clock;
  dataDir: string;
  nodeName: string;
  hostname: string;
  hostIPs: string[];
  dns: NodeDnsConfig;
  allocatable: Record<string, string>;
  /** the host's OS: which section (linux, windows) the CRI requests carry */
  os: HostOs;
  /** the host's memory in bytes and processors */
  memoryCapacity: number;
  cpuCapacity: number;
  runtimeName: string;
  /** image index facts: which manifest a Windows sandbox pulls for its isolation (image-platform.ts); absent: pull as given */
  imageFacts?: ImageFactsSource;
  /** this node as the Windows isolation rules see it (its Node's build, architecture, Hyper-V); undefined on Linux */
  windowsHost?: () => WindowsHost | undefined;
  /** bound ServiceAccount tokens for projected volumes (absent: pods with such volumes fail to mount) */
  tokens?: ServiceAccountTokens;
  /** where Secret and projected volumes live (default: an owner-only directory on disk) */
  secretMedium?: SecretMedium;
  /** PersistentVolumeClaim volumes: claim → bound volume → its directory on this node */
  claims?: ClaimSource;
  /** the Services the agent knows (for KUBERNETES_SERVICE_HOST and the service links of containers' env) */
  services?: () => readonly Service[];
  log: Logger;
  memory(uid: string): PodMemory;
  /** the kubelet's admission of a pod that has not run here yet (admit.ts, against the current Node) */
  admit(pod: Pod): Promise<AdmitResult>;
  /** requeue a pod after ms */
  requeue(uid: string, ms: number): void;
}
