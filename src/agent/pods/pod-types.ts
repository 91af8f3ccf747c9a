// The typed view of a Pod that the agent reads and writes. Only the fields the agent uses are
// listed; the wire object keeps everything else untouched.

import type { KubeObject } from '../../api/object.js';

export type IntOrString = number | string;

export interface KeyToPath { key: string; path: string; mode?: number }
export interface ObjectFieldSelector { apiVersion?: string; fieldPath: string }
export interface ResourceFieldSelector { containerName?: string; resource: string; divisor?: string | number }

export interface EnvVarSource {
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: ResourceFieldSelector;
  configMapKeyRef?: { name: string; key: string; optional?: boolean };
  secretKeyRef?: { name: string; key: string; optional?: boolean };
}
export interface EnvVar { name: string; value?: string; valueFrom?: EnvVarSource }
export interface EnvFromSource { prefix?: string; configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean } }

export interface HttpHeader { name: string; value: string }
export interface HttpGetAction { path?: string; port: IntOrString; host?: string; scheme?: string; httpHeaders?: HttpHeader[] }
export interface Handler { exec?: { command?: string[] }; httpGet?: HttpGetAction; tcpSocket?: { port: IntOrString; host?: string } }
export interface Probe extends Handler {
  initialDelaySeconds?: number; timeoutSeconds?: number; periodSeconds?: number; successThreshold?: number; failureThreshold?: number;
}

export interface ContainerPort { name?: string; containerPort: number; hostPort?: number; protocol?: string; hostIP?: string }
export interface VolumeMount { name: string; mountPath: string; subPath?: string; readOnly?: boolean; mountPropagation?: string }
export interface Resources { limits?: Record<string, string | number>; requests?: Record<string, string | number> }
export interface SecurityContext {
  runAsUser?: number; runAsGroup?: number; runAsNonRoot?: boolean; readOnlyRootFilesystem?: boolean; privileged?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}

export interface Container {
  name: string; image?: string; imagePullPolicy?: string;
  command?: string[]; args?: string[]; workingDir?: string;
  env?: EnvVar[]; envFrom?: EnvFromSource[];
  ports?: ContainerPort[]; volumeMounts?: VolumeMount[]; resources?: Resources;
  livenessProbe?: Probe; readinessProbe?: Probe; startupProbe?: Probe;
  lifecycle?: { postStart?: Handler; preStop?: Handler };
  securityContext?: SecurityContext;
  restartPolicy?: string; stdin?: boolean; stdinOnce?: boolean; tty?: boolean;
}

export interface ConfigMapProjection { name: string; items?: KeyToPath[]; optional?: boolean }
export interface SecretProjection { name?: string; items?: KeyToPath[]; optional?: boolean }
export interface DownwardApiFile { path: string; fieldRef?: ObjectFieldSelector; resourceFieldRef?: ResourceFieldSelector; mode?: number }
export interface Volume {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string };
  hostPath?: { path: string; type?: string };
  configMap?: ConfigMapProjection & { defaultMode?: number };
  secret?: { secretName?: string; items?: KeyToPath[]; optional?: boolean; defaultMode?: number };
  downwardAPI?: { items?: DownwardApiFile[]; defaultMode?: number };
  projected?: {
    defaultMode?: number;
    sources?: Array<{
      configMap?: ConfigMapProjection; secret?: SecretProjection; downwardAPI?: { items?: DownwardApiFile[] };
      serviceAccountToken?: { path: string; audience?: string; expirationSeconds?: number };
    }>;
  };
}

export interface PodSpec {
  containers: Container[]; initContainers?: Container[]; volumes?: Volume[];
  restartPolicy?: string; terminationGracePeriodSeconds?: number;
  nodeName?: string; serviceAccountName?: string; hostNetwork?: boolean; hostname?: string; subdomain?: string;
  runtimeClassName?: string; imagePullSecrets?: Array<{ name: string }>; securityContext?: SecurityContext;
  readinessGates?: Array<{ conditionType: string }>;
  dnsConfig?: { nameservers?: string[]; searches?: string[]; options?: Array<{ name: string; value?: string }> };
}

export interface ContainerStateWaiting { reason?: string; message?: string }
export interface ContainerStateRunning { startedAt?: string }
export interface ContainerStateTerminated { exitCode: number; signal?: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string; containerID?: string }
export interface ContainerState { waiting?: ContainerStateWaiting; running?: ContainerStateRunning; terminated?: ContainerStateTerminated }
export interface ContainerStatus {
  name: string; state: ContainerState; lastState: ContainerState; ready: boolean; started?: boolean;
  restartCount: number; image: string; imageID: string; containerID?: string;
}
export interface PodCondition { type: string; status: 'True' | 'False' | 'Unknown'; reason?: string; message?: string; lastProbeTime?: string | null; lastTransitionTime?: string }
export interface PodStatus {
  phase?: string; conditions?: PodCondition[]; message?: string; reason?: string;
  hostIP?: string; hostIPs?: Array<{ ip: string }>; podIP?: string; podIPs?: Array<{ ip: string }>;
  startTime?: string; qosClass?: string;
  containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[];
}

export interface AgentPod extends KubeObject { spec: PodSpec; status?: PodStatus }

export const podFullName = (p: AgentPod) => `${p.metadata.name ?? ''}_${p.metadata.namespace ?? ''}(${p.metadata.uid ?? ''})`;
