// Shapes of the apps/v1 workloads that defaults, validation and printing read.

import type { KubeObject } from '../../object.js';
import type { LabelSelector } from '../../validation/index.js';
import type { IntOrString, PodTemplateSpec } from '../core/pod/types.js';

export interface RollingUpdate { maxUnavailable?: IntOrString; maxSurge?: IntOrString; partition?: number }
export interface WorkloadSpec {
  replicas?: number; selector?: LabelSelector; template?: PodTemplateSpec; minReadySeconds?: number;
  revisionHistoryLimit?: number; progressDeadlineSeconds?: number; paused?: boolean;
  strategy?: { type?: string; rollingUpdate?: RollingUpdate };
  updateStrategy?: { type?: string; rollingUpdate?: RollingUpdate };
  [k: string]: unknown;
}
export interface WorkloadStatus {
  replicas?: number; readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number;
  desiredNumberScheduled?: number; currentNumberScheduled?: number; numberReady?: number;
  updatedNumberScheduled?: number; numberAvailable?: number;
  [k: string]: unknown;
}
export interface Workload extends KubeObject { spec?: WorkloadSpec; status?: WorkloadStatus }
