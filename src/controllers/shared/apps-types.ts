// The apps/v1 ReplicaSet and Deployment shapes the workload controllers read and write.

import type { KubeObject } from '../../api/object.js';
import type { LabelSelector } from '../../base/label-selector.js';
import type { PodTemplateSpec } from '../../api/kinds/core/pod/types.js';

export interface ReplicaSetCondition { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string }

export interface ReplicaSetStatus {
  replicas: number; fullyLabeledReplicas?: number; readyReplicas?: number; availableReplicas?: number;
  observedGeneration?: number; conditions?: ReplicaSetCondition[];
}

export interface ReplicaSet extends KubeObject {
  spec?: { replicas?: number; minReadySeconds?: number; selector?: LabelSelector; template?: PodTemplateSpec };
  status?: ReplicaSetStatus;
}

export interface DeploymentCondition {
  type: string; status: string; lastUpdateTime?: string; lastTransitionTime?: string; reason?: string; message?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number;
  availableReplicas?: number; unavailableReplicas?: number; conditions?: DeploymentCondition[]; collisionCount?: number;
}

export interface DeploymentSpec {
  replicas?: number; selector?: LabelSelector; template?: PodTemplateSpec; minReadySeconds?: number;
  revisionHistoryLimit?: number; progressDeadlineSeconds?: number; paused?: boolean;
  strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
}

export interface Deployment extends KubeObject { spec?: DeploymentSpec; status?: DeploymentStatus }
