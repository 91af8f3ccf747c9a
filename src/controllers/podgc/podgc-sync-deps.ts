// What one pass of the pod garbage collector (podgc-sync.ts) needs from the outside: the cached pods
// and nodes, a live read of a node (the cache may lag behind a node just created), the two writes it
// makes, the clock and a logger. The controller binds it to informers and the REST client; tests to
// in-memory fakes.

import type { Node, Pod } from '../../api/gen/types.js';
import type { Logger } from '../../base/log.js';

/** The API calls of one pass. Each throws a StatusError on failure (404 when the object is gone). */
interface PodGcApi {
  /** A live GET: false on 404, true when the node exists; other failures throw. */
  nodeExists(name: string): Promise<boolean>;
  /** A strategic merge patch of the pod's status (the patch carries the uid precondition). */
  patchPodStatus(pod: Pod, patch: object): Promise<void>;
  /** DELETE with gracePeriodSeconds 0 and the pod's uid as a precondition. */
  forceDeletePod(pod: Pod): Promise<void>;
}

export interface PodGcSyncDeps {
  listPods(): Pod[];
  /** The cached node of that name. */
  getNode(name: string): Node | undefined;
  api: PodGcApi;
  now(): number;
  log: Logger;
  /** Concurrent patch/delete calls (default 32). */
  inFlight?: number;
}
