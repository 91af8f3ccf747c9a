// The ReplicaSet controller's wiring: shared informers for ReplicaSets and Pods, handlers that only
// enqueue ReplicaSet keys (and count what the expectations wait for), and workers that run
// syncReplicaSet against the caches and the API. The same wiring runs over ReplicationControllers
// (startReplicaController with another ReplicaKind), as upstream's replication controller does.

import type { OwnerReference, Pod, ReplicaSet } from '../../api/gen/types.js';
import type { KubeObject } from '../../api/object.js';
import { replicaSetKind } from '../../api/kinds/apps/replicaset.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { objectKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { createExpectations } from '../shared/expectations.js';
import { OWNER_INDEXERS, ownerIndex } from '../shared/owner-index.js';
import { controllerKey, controllerRefOf } from '../shared/owner-refs.js';
import { selectorMatcher } from '../shared/selector-cache.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { syncReplicaSet } from './replicaset-sync.js';
import type { ReplicaSetSyncDeps } from './replicaset-sync-deps.js';
import { REPLICA_SET_OWNER, type ReplicaKind } from './replica-kind.js';

const replicaSets: ReplicaKind<ReplicaSet> = {
  name: 'replicaset',
  kind: replicaSetKind,
  ...REPLICA_SET_OWNER,
  asReplicaSet: (rs) => rs,
  statusOf: (status) => ({ ...status, conditions: status.conditions ?? null }),
};

/**
 * Pod creations and updates reach their ReplicaSet's sync after this delay, so that the events of one
 * moment (a burst of creates, bindings, status writes of a 3,000-pod scale-up) share one sync. Each
 * sync walks every pod of the ReplicaSet (claims, status); one sync per event made a scale-up
 * quadratic on the one event loop (11% of the server's time at 30,000 replicas). Upstream enqueues
 * at once but runs its syncs on other cores. Deletions still enqueue at once.
 */
const POD_EVENT_BATCH_MS = 100;

export function startReplicaSetController(deps: ControllerDeps): RunningController {
  return startReplicaController(deps, replicaSets);
}

/** The replica controller over the kind `rk` (ReplicaSets, ReplicationControllers). */
export function startReplicaController<T extends KubeObject>(deps: ControllerDeps, rk: ReplicaKind<T>): RunningController {
  const NAME = rk.name;
  const { client } = deps;
  const now = deps.now ?? Date.now;
  const queue = createWorkQueue<string>({ name: rk.name });
  const rsInf = deps.informers.for(rk.kind);
  const podInf = deps.informers.for(podKind, { indexers: OWNER_INDEXERS });
  const pods = ownerIndex(podInf);
  const expectations = createExpectations(now);

  /** The key of the ReplicaSet a controller reference points at, if that ReplicaSet is cached. */
  const ownerKey = (ns: string | undefined, ref: OwnerReference | undefined) =>
    controllerKey(ns, ref, rk.ownerKind, { cached: (k) => rsInf.get(k) });
  /** Orphans: every ReplicaSet of the namespace whose selector matches may adopt it. */
  const enqueueMatching = (p: Pod) => {
    for (const obj of rsInf.byNamespace(p.metadata.namespace ?? '')) {
      if (selectorMatcher(rk.asReplicaSet(obj).spec?.selector).matches(p.metadata.labels)) queue.add(objectKey(obj));
    }
  };
  const podGone = (p: Pod) => {
    const key = ownerKey(p.metadata.namespace, controllerRefOf(p));
    if (!key) return;
    expectations.deletionObserved(key, objectKey(p));
    queue.add(key);
  };

  podInf.addHandlers({
    onAdd: (p) => {
      if (p.metadata.deletionTimestamp) {
        podGone(p);
        return;
      }
      const ref = controllerRefOf(p);
      if (ref) {
        const key = ownerKey(p.metadata.namespace, ref);
        if (key) {
          expectations.creationObserved(key);
          queue.addAfter(key, POD_EVENT_BATCH_MS);
        }
        return;
      }
      enqueueMatching(p);
    },
    onUpdate: (old, cur) => {
      if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
      const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
      if (cur.metadata.deletionTimestamp) {
        podGone(cur);
        if (labelsChanged) podGone(old);
        return;
      }
      const oldRef = controllerRefOf(old);
      const curRef = controllerRefOf(cur);
      const refChanged = oldRef?.uid !== curRef?.uid;
      if (refChanged && oldRef) {
        const k = ownerKey(old.metadata.namespace, oldRef);
        if (k) queue.add(k);
      }
      if (curRef) {
        const k = ownerKey(cur.metadata.namespace, curRef);
        if (k) queue.addAfter(k, POD_EVENT_BATCH_MS);
        return;
      }
      if (labelsChanged || refChanged) enqueueMatching(cur);
    },
    onDelete: podGone,
  });
  rsInf.addHandlers({
    onAdd: (rs) => queue.add(objectKey(rs)),
    onUpdate: (_o, rs) => queue.add(objectKey(rs)),
    onDelete: (rs) => {
      expectations.delete(objectKey(rs));
      queue.add(objectKey(rs));
    },
  });

  const podsIn = (ns: string) => client.resource(podKind).namespace(ns);
  const owners = (ns: string) => client.resource(rk.kind).namespace(ns);
  const world: ReplicaSetSyncDeps = {
    getReplicaSet: (key) => {
      const obj = rsInf.get(key);
      return obj && rk.asReplicaSet(obj);
    },
    podsControlledBy: (uid) => pods.controlledBy(uid),
    orphanPodsIn: (ns) => pods.orphansIn(ns),
    expectations,
    now,
    requeueAfter: (key, ms) => queue.addAfter(key, ms),
    owner: { ownerApiVersion: rk.ownerApiVersion, ownerKind: rk.ownerKind },
    event: deps.recorder ? (obj, type, reason, msg) => deps.recorder?.event(obj, type, reason, msg) : undefined,
    api: {
      createPod: (ns, pod) => podsIn(ns).create(pod),
      deletePod: async (ns, name, uid) => {
        await podsIn(ns).delete(name, { preconditions: { uid } });
      },
      patchPod: (ns, name, patch) => podsIn(ns).patch(name, patch, 'merge'),
      getReplicaSet: async (ns, name) => {
        const obj = await owners(ns).getOrUndefined(name);
        return obj && rk.asReplicaSet(obj);
      },
      updateStatus: async (rs, status) => {
        const obj = await owners(rs.metadata.namespace ?? '').patchStatus(rs.metadata.name ?? '', { status: rk.statusOf(status) }, 'merge');
        return rk.asReplicaSet(obj);
      },
    },
  };

  return runController({
    name: NAME,
    log: deps.log.child(NAME),
    informers: [rsInf, podInf],
    queue,
    workers: deps.workers ?? 5,
    sync: (key) => syncReplicaSet(world, key),
  });
}
