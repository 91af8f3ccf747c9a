// The Deployment controller's wiring: shared informers for Deployments, ReplicaSets and Pods,
// handlers that only enqueue Deployment keys, and runController's workers running syncDeployment.

import type { DeploymentStatus, OwnerReference, ReplicaSet } from '../../api/gen/types.js';
import { deploymentKind } from '../../api/kinds/apps/deployment.js';
import { replicaSetKind } from '../../api/kinds/apps/replicaset.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { objectKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { OWNER_INDEXERS, ownerIndex } from '../shared/owner-index.js';
import { controllerKey, controllerRefOf } from '../shared/owner-refs.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { selectorMatcher } from '../shared/selector-cache.js';
import { syncDeployment } from './deployment-sync.js';
import type { DeploymentSyncDeps } from './deployment-sync-deps.js';

const NAME = 'deployment';

export function startDeploymentController(deps: ControllerDeps): RunningController {
  const { client } = deps;
  const now = deps.now ?? Date.now;
  const queue = createWorkQueue<string>({ name: 'deployment' });
  const dInf = deps.informers.for(deploymentKind);
  const rsInf = deps.informers.for(replicaSetKind, { indexers: OWNER_INDEXERS });
  const podInf = deps.informers.for(podKind, { indexers: OWNER_INDEXERS });
  const rsIndex = ownerIndex(rsInf);
  const podIndex = ownerIndex(podInf);

  const ownerKey = (ns: string | undefined, ref: OwnerReference | undefined) =>
    controllerKey(ns, ref, 'Deployment', { cached: (k) => dInf.get(k) });
  const enqueueOwner = (rs: ReplicaSet) => {
    const k = ownerKey(rs.metadata.namespace, controllerRefOf(rs));
    if (k) queue.add(k);
  };
  const enqueueMatching = (rs: ReplicaSet) => {
    for (const d of dInf.byNamespace(rs.metadata.namespace ?? '')) {
      if (selectorMatcher(d.spec?.selector).matches(rs.metadata.labels)) queue.add(objectKey(d));
    }
  };

  dInf.addHandlers({
    onAdd: (d) => queue.add(objectKey(d)),
    onUpdate: (_o, d) => queue.add(objectKey(d)),
    onDelete: (d) => queue.add(objectKey(d)),
  });
  rsInf.addHandlers({
    onAdd: (rs) => {
      if (controllerRefOf(rs)) enqueueOwner(rs);
      else enqueueMatching(rs);
    },
    onUpdate: (old, cur) => {
      if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
      const oldRef = controllerRefOf(old);
      const curRef = controllerRefOf(cur);
      if (oldRef && oldRef.uid !== curRef?.uid) enqueueOwner(old);
      if (curRef) {
        enqueueOwner(cur);
        return;
      }
      if (oldRef || JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {})) enqueueMatching(cur);
    },
    onDelete: enqueueOwner,
  });
  podInf.addHandlers({
    // Recreate waits for the old pods to be gone
    onDelete: (p) => {
      const ref = controllerRefOf(p);
      if (!ref || ref.kind !== 'ReplicaSet') return;
      const rs = rsInf.get(`${p.metadata.namespace ?? ''}/${ref.name}`);
      if (!rs) return;
      const k = ownerKey(rs.metadata.namespace, controllerRefOf(rs));
      if (k && dInf.get(k)?.spec?.strategy?.type === 'Recreate') queue.add(k);
    },
  });

  const deployments = (ns: string) => client.resource(deploymentKind).namespace(ns);
  const replicaSets = (ns: string) => client.resource(replicaSetKind).namespace(ns);
  const world: DeploymentSyncDeps = {
    getDeployment: (key) => dInf.get(key),
    replicaSetsControlledBy: (uid) => rsIndex.controlledBy(uid),
    orphanReplicaSetsIn: (ns) => rsIndex.orphansIn(ns),
    podsControlledBy: (uid) => podIndex.controlledBy(uid),
    now,
    requeueAfter: (key, ms) => queue.addAfter(key, ms),
    event: deps.recorder ? (obj, type, reason, msg) => deps.recorder?.event(obj, type, reason, msg) : undefined,
    api: {
      createReplicaSet: (ns, rs) => replicaSets(ns).create(rs),
      getReplicaSet: (ns, name) => replicaSets(ns).getOrUndefined(name),
      updateReplicaSet: (rs: ReplicaSet) => replicaSets(rs.metadata.namespace ?? '').update(rs),
      deleteReplicaSet: async (ns, name, uid) => {
        await replicaSets(ns).delete(name, { propagationPolicy: 'Background', preconditions: { uid } });
      },
      patchReplicaSet: (ns, name, patch) => replicaSets(ns).patch(name, patch, 'merge'),
      getDeployment: (ns, name) => deployments(ns).getOrUndefined(name),
      patchDeploymentAnnotations: (d, annotations) =>
        deployments(d.metadata.namespace ?? '').patch(d.metadata.name ?? '', { metadata: { annotations } }, 'merge'),
      updateDeploymentStatus: (d, status: DeploymentStatus) =>
        deployments(d.metadata.namespace ?? '').patchStatus(
          d.metadata.name ?? '',
          { status: { ...status, conditions: status.conditions ?? null } },
          'merge',
        ),
    },
  };

  return runController({
    name: NAME,
    log: deps.log.child(NAME),
    informers: [dInf, rsInf, podInf],
    queue,
    workers: deps.workers ?? 5,
    sync: (key) => syncDeployment(world, key),
  });
}
