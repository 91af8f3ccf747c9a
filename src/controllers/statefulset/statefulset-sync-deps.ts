// What one StatefulSet reconcile (statefulset-sync.ts) needs from the outside: the cached set, its
// pods and revisions, the API calls it makes, the clock, requeueing and events. The controller
// binds it to informers and the REST client; tests to in-memory fakes.

import type { ControllerRevision, PersistentVolumeClaim, Pod, StatefulSet, StatefulSetStatus } from '../../api/gen/types.js';
import type { KubeObject } from '../../api/object.js';

/** The API calls of one StatefulSet reconcile. */
interface StatefulSetApi {
  /** Rejects with a StatusError (409 when a pod of that name exists). */
  createPod(namespace: string, pod: Pod): Promise<Pod>;
  /** Deletes with a uid precondition. */
  deletePod(namespace: string, name: string, uid: string): Promise<void>;
  /** JSON merge patch of a pod's metadata (adoption and release). */
  patchPod(namespace: string, name: string, patch: Record<string, unknown>): Promise<Pod>;
  /** A live read, to check the set is still the same object before adopting. */
  getStatefulSet(namespace: string, name: string): Promise<StatefulSet | undefined>;
  /** A live read of a claim (claims are not cached: the kind may be served by another part). */
  getClaim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  createClaim(namespace: string, claim: PersistentVolumeClaim): Promise<unknown>;
  /** JSON merge patch of a claim's metadata (owner references for the retention policy). */
  patchClaim(namespace: string, name: string, patch: Record<string, unknown>): Promise<unknown>;
  createRevision(namespace: string, rev: ControllerRevision): Promise<ControllerRevision>;
  getRevision(namespace: string, name: string): Promise<ControllerRevision | undefined>;
  /** JSON merge patch of a revision: its number (a rollback makes an old revision the newest), adoption. */
  patchRevision(namespace: string, name: string, patch: Record<string, unknown>): Promise<ControllerRevision>;
  deleteRevision(namespace: string, name: string): Promise<void>;
  updateStatus(set: StatefulSet, status: StatefulSetStatus): Promise<unknown>;
}

export interface StatefulSetSyncDeps {
  getStatefulSet(key: string): StatefulSet | undefined;
  podsOf(set: StatefulSet): Pod[];
  revisionsOf(set: StatefulSet): ControllerRevision[];
  /** Cached pods and revisions of the namespace without a controller (adoption candidates). */
  orphanPodsIn(namespace: string): Pod[];
  orphanRevisionsIn(namespace: string): ControllerRevision[];
  api: StatefulSetApi;
  now(): number;
  requeueAfter(key: string, ms: number): void;
  event?(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}
