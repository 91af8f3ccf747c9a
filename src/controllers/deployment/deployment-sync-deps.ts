// What one Deployment reconcile (deployment-sync.ts) needs from the outside: the cached Deployment,
// its ReplicaSets and pods, the API calls it makes (DeploymentApi), the clock, requeueing and
// events. The controller binds it to informers and the REST client; tests to in-memory fakes.

import type { Deployment, DeploymentStatus, Pod, ReplicaSet } from '../../api/gen/types.js';
import type { KubeObject } from '../../api/object.js';

/** The API calls of one Deployment reconcile. */
interface DeploymentApi {
  createReplicaSet(namespace: string, rs: ReplicaSet): Promise<ReplicaSet>;
  getReplicaSet(namespace: string, name: string): Promise<ReplicaSet | undefined>;
  /** PUT of the whole object (a stale resourceVersion fails with 409). */
  updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  deleteReplicaSet(namespace: string, name: string, uid: string): Promise<void>;
  /** JSON merge patch (adoption and release). */
  patchReplicaSet(namespace: string, name: string, patch: Record<string, unknown>): Promise<ReplicaSet>;
  getDeployment(namespace: string, name: string): Promise<Deployment | undefined>;
  /** Sets the Deployment's annotations (metadata only). */
  patchDeploymentAnnotations(d: Deployment, annotations: Record<string, string>): Promise<Deployment>;
  updateDeploymentStatus(d: Deployment, status: DeploymentStatus): Promise<Deployment>;
}

export interface DeploymentSyncDeps {
  getDeployment(key: string): Deployment | undefined;
  replicaSetsControlledBy(uid: string): ReplicaSet[];
  orphanReplicaSetsIn(namespace: string): ReplicaSet[];
  podsControlledBy(uid: string): Pod[];
  api: DeploymentApi;
  now(): number;
  requeueAfter(key: string, ms: number): void;
  event?(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}
