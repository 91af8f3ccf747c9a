// What one ReplicaSet reconcile (replicaset-sync.ts) needs from the outside: the cached ReplicaSet
// and its pods, the expectations, the API calls it makes (ReplicaSetApi), the clock, requeueing and
// events. The controller binds it to informers and the REST client; tests to in-memory fakes.

import type { Pod, ReplicaSet, ReplicaSetStatus } from '../../api/gen/types.js';
import type { KubeObject } from '../../api/object.js';
import type { Expectations } from '../shared/expectations.js';

/** The API calls of one ReplicaSet reconcile. */
interface ReplicaSetApi {
  createPod(namespace: string, pod: Pod): Promise<Pod>;
  /** Deletes with a uid precondition. */
  deletePod(namespace: string, name: string, uid: string): Promise<void>;
  /** JSON merge patch of a pod's metadata (adoption and release). */
  patchPod(namespace: string, name: string, patch: Record<string, unknown>): Promise<Pod>;
  /** A live read, to check the owner is still the same object before adopting. */
  getReplicaSet(namespace: string, name: string): Promise<ReplicaSet | undefined>;
  updateStatus(rs: ReplicaSet, status: ReplicaSetStatus): Promise<ReplicaSet>;
}

export interface ReplicaSetSyncDeps {
  getReplicaSet(key: string): ReplicaSet | undefined;
  podsControlledBy(uid: string): Pod[];
  orphanPodsIn(namespace: string): Pod[];
  expectations: Expectations;
  api: ReplicaSetApi;
  now(): number;
  requeueAfter(key: string, ms: number): void;
  event?(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** The owner kind of the pods (default apps/v1 ReplicaSet; a ReplicationController's controller sets its own). */
  owner?: { ownerApiVersion: string; ownerKind: string };
  /** Concurrent create/delete calls (default 64). */
  inFlight?: number;
}
