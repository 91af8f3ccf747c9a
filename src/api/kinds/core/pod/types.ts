// The parts of Pod/PodSpec that defaults, validation and printing read. Fields not listed stay
// reachable through the index signatures and pass through untouched.

import type { KubeObject, ObjectMeta } from '../../../object.js';

export type IntOrString = number | string;
type Open = { [k: string]: unknown };

export interface ContainerPort extends Open { name?: string; containerPort?: number; hostPort?: number; protocol?: string; hostIP?: string }
export interface HTTPGetAction extends Open { path?: string; port?: IntOrString; scheme?: string; host?: string }
export interface ProbeHandler extends Open { httpGet?: HTTPGetAction; tcpSocket?: { port?: IntOrString }; exec?: { command?: string[] }; grpc?: { port?: number; service?: string } }
export interface Probe extends ProbeHandler {
  initialDelaySeconds?: number; timeoutSeconds?: number; periodSeconds?: number; successThreshold?: number;
  failureThreshold?: number; terminationGracePeriodSeconds?: number;
}
export interface EnvVar extends Open { name?: string; value?: string; valueFrom?: { fieldRef?: { apiVersion?: string; fieldPath?: string } } & Open }
export interface ResourceRequirements extends Open { limits?: Record<string, string | number>; requests?: Record<string, string | number> }
export interface Container extends Open {
  name?: string; image?: string; imagePullPolicy?: string; ports?: ContainerPort[]; env?: EnvVar[];
  resources?: ResourceRequirements; livenessProbe?: Probe; readinessProbe?: Probe; startupProbe?: Probe;
  lifecycle?: { postStart?: ProbeHandler; preStop?: ProbeHandler } & Open;
  terminationMessagePath?: string; terminationMessagePolicy?: string; restartPolicy?: string;
  volumeMounts?: Array<{ name?: string; mountPath?: string } & Open>;
}
export interface Toleration extends Open { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }
export interface Volume extends Open {
  name?: string;
  configMap?: Open & { defaultMode?: number }; secret?: Open & { defaultMode?: number };
  projected?: Open & { defaultMode?: number }; downwardAPI?: Open & { defaultMode?: number };
  emptyDir?: Open; hostPath?: Open & { type?: string };
}
export interface PodSpec extends Open {
  containers?: Container[]; initContainers?: Container[]; volumes?: Volume[];
  restartPolicy?: string; dnsPolicy?: string; terminationGracePeriodSeconds?: number; activeDeadlineSeconds?: number;
  schedulerName?: string; securityContext?: Open; enableServiceLinks?: boolean; serviceAccountName?: string; serviceAccount?: string;
  nodeName?: string; nodeSelector?: Record<string, string>; hostNetwork?: boolean; tolerations?: Toleration[];
  priority?: number; priorityClassName?: string; preemptionPolicy?: string; readinessGates?: Array<{ conditionType?: string }>;
  runtimeClassName?: string; os?: { name?: string };
}
export interface PodTemplateSpec { metadata?: ObjectMeta; spec?: PodSpec }

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode?: number; signal?: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string };
}
export interface ContainerStatus extends Open {
  name?: string; ready?: boolean; started?: boolean; restartCount?: number; image?: string;
  state?: ContainerState; lastState?: ContainerState;
}
export interface PodCondition extends Open { type?: string; status?: string; reason?: string }
export interface PodStatus extends Open {
  phase?: string; reason?: string; message?: string; podIP?: string; podIPs?: Array<{ ip?: string }>;
  nominatedNodeName?: string; conditions?: PodCondition[]; qosClass?: string; hostIP?: string;
  containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[];
}
export interface Pod extends KubeObject { spec?: PodSpec; status?: PodStatus }
