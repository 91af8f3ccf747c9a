// The StatefulSet controller's wiring: shared informers for StatefulSets, their Pods and their
// ControllerRevisions, handlers that only enqueue the owning set's key (for an orphan, the keys of
// the sets that may adopt it), and workers that run
// syncStatefulSet against the caches and the API. Claims are read and written live through the
// generic REST client by resource (the claim kind may be served by another part of the server),
// so no claim cache has to sync before the controller starts.

import type { ControllerRevision, PersistentVolumeClaim, Pod, StatefulSet } from '../../api/gen/types.js';
import { controllerRevisionKind } from '../../api/kinds/apps/controller-revision.js';
import { statefulSetKind } from '../../api/kinds/apps/statefulset.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import type { KubeObject } from '../../api/object.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { objectKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { OWNER_INDEXERS, ownerIndex } from '../shared/owner-index.js';
import { controllerKey, controllerRefOf } from '../shared/owner-refs.js';
import { selectorMatcher } from '../shared/selector-cache.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { syncStatefulSet } from './statefulset-sync.js';
import type { StatefulSetSyncDeps } from './statefulset-sync-deps.js';

const NAME = 'statefulset';
const CLAIMS = { group: '', version: 'v1', plural: 'persistentvolumeclaims', namespaced: true };

export function startStatefulSetController(deps: ControllerDeps): RunningController {
  const { client } = deps;
  const now = deps.now ?? Date.now;
  const queue = createWorkQueue<string>({ name: 'statefulset' });
  const sets = deps.informers.for(statefulSetKind);
  const podInf = deps.informers.for(podKind, { indexers: OWNER_INDEXERS });
  const revInf = deps.informers.for(controllerRevisionKind, { indexers: OWNER_INDEXERS });
  const pods = ownerIndex(podInf);
  const revisions = ownerIndex(revInf);

  /** The key of the cached StatefulSet that controls `o`, if any. */
  const ownerKey = (o: KubeObject) =>
    controllerKey(o.metadata.namespace, controllerRefOf(o), 'StatefulSet', { group: 'apps', cached: (k) => sets.get(k) });
  /** The owning set; for an orphan, every set of its namespace whose selector matches (it may adopt it). */
  const enqueueOwner = (o: KubeObject) => {
    if (!controllerRefOf(o)) {
      for (const s of sets.byNamespace(o.metadata.namespace ?? '')) {
        if (selectorMatcher(s.spec?.selector).matches(o.metadata.labels ?? {})) queue.add(objectKey(s));
      }
      return;
    }
    const k = ownerKey(o);
    if (k) queue.add(k);
  };
  const ownedHandlers = {
    onAdd: enqueueOwner,
    onUpdate: (old: KubeObject, cur: KubeObject) => {
      if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
      if (controllerRefOf(old)?.uid !== controllerRefOf(cur)?.uid) enqueueOwner(old);
      enqueueOwner(cur);
    },
    onDelete: enqueueOwner,
  };
  podInf.addHandlers(ownedHandlers);
  revInf.addHandlers(ownedHandlers);
  sets.addHandlers({
    onAdd: (s) => queue.add(objectKey(s)),
    onUpdate: (_o, s) => queue.add(objectKey(s)),
    onDelete: (s) => queue.add(objectKey(s)),
  });

  const podsIn = (ns: string) => client.resource(podKind).namespace(ns);
  const claimsIn = (ns: string) => client.resource(CLAIMS).namespace(ns);
  const revisionsIn = (ns: string) => client.resource(controllerRevisionKind).namespace(ns);
  const world: StatefulSetSyncDeps = {
    getStatefulSet: (key) => sets.get(key),
    podsOf: (set: StatefulSet): Pod[] => pods.controlledBy(set.metadata.uid ?? ''),
    revisionsOf: (set: StatefulSet): ControllerRevision[] => revisions.controlledBy(set.metadata.uid ?? ''),
    orphanPodsIn: (ns) => pods.orphansIn(ns),
    orphanRevisionsIn: (ns) => revisions.orphansIn(ns),
    now,
    requeueAfter: (key, ms) => queue.addAfter(key, ms),
    event: deps.recorder ? (obj, type, reason, msg) => deps.recorder?.event(obj, type, reason, msg) : undefined,
    api: {
      createPod: (ns, pod) => podsIn(ns).create(pod),
      patchPod: (ns, name, patch) => podsIn(ns).patch(name, patch, 'merge'),
      getStatefulSet: (ns, name) => client.resource(statefulSetKind).namespace(ns).getOrUndefined(name),
      deletePod: async (ns, name, uid) => {
        await podsIn(ns).delete(name, { preconditions: { uid } });
      },
      getClaim: async (ns, name) => (await claimsIn(ns).getOrUndefined(name)) as PersistentVolumeClaim | undefined,
      createClaim: (ns, claim) => claimsIn(ns).create({ ...claim }),
      patchClaim: (ns, name, patch) => claimsIn(ns).patch(name, patch, 'merge'),
      createRevision: (ns, rev) => revisionsIn(ns).create(rev),
      getRevision: (ns, name) => revisionsIn(ns).getOrUndefined(name),
      patchRevision: (ns, name, patch) => revisionsIn(ns).patch(name, patch, 'merge'),
      deleteRevision: async (ns, name) => {
        await revisionsIn(ns).delete(name);
      },
      updateStatus: (set, status) =>
        client
          .resource(statefulSetKind)
          .namespace(set.metadata.namespace ?? '')
          .patchStatus(set.metadata.name ?? '', { status }, 'merge'),
    },
  };

  return runController({
    name: NAME,
    log: deps.log.child(NAME),
    informers: [sets, podInf, revInf],
    queue,
    workers: deps.workers ?? 5,
    sync: (key) => syncStatefulSet(world, key),
  });
}
