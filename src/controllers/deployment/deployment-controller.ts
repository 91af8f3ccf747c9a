// The Deployment controller's wiring: shared informers for Deployments, ReplicaSets and Pods,
// handlers that only enqueue Deployment keys, and runController's workers running syncDeployment.

import type { Deployment, DeploymentStatus, OwnerReference, Pod, ReplicaSet } from '../../api/gen/types.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { objectKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { createOwnerIndex } from '../shared/owner-index.js';
import { controllerKey, controllerRefOf, MERGE_PATCH } from '../shared/owner-refs.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { selectorMatcher } from '../shared/selector-cache.js';
import { syncDeployment } from './deployment-sync.js';
import type { DeploymentSyncDeps } from './deployment-sync-deps.js';

const NAME = 'deployment';
export const DEPLOYMENTS_PATH = '/apis/apps/v1/deployments';
const REPLICASETS_PATH = '/apis/apps/v1/replicasets';
const PODS_PATH = '/api/v1/pods';
const enc = encodeURIComponent;

export function startDeploymentController(deps: ControllerDeps): RunningController {
  const { client } = deps;
  const now = deps.now ?? Date.now;
  const queue = createWorkQueue<string>();
  const dInf = deps.informers.informer<Deployment>(DEPLOYMENTS_PATH);
  const rsInf = deps.informers.informer<ReplicaSet>(REPLICASETS_PATH);
  const podInf = deps.informers.informer<Pod>(PODS_PATH);
  const rsIndex = createOwnerIndex(rsInf);
  const podIndex = createOwnerIndex(podInf);

  const ownerKey = (ns: string | undefined, ref: OwnerReference | undefined) => controllerKey(ns, ref, 'Deployment', { cached: (k) => dInf.get(k) });
  const enqueueOwner = (rs: ReplicaSet) => { const k = ownerKey(rs.metadata.namespace, controllerRefOf(rs)); if (k) queue.add(k); };
  const enqueueMatching = (rs: ReplicaSet) => {
    for (const d of dInf.byNamespace(rs.metadata.namespace ?? '')) {
      if (selectorMatcher(d.spec?.selector).matches(rs.metadata.labels)) queue.add(objectKey(d));
    }
  };

  dInf.onAdd((d) => queue.add(objectKey(d)));
  dInf.onUpdate((_o, d) => queue.add(objectKey(d)));
  dInf.onDelete((d) => queue.add(objectKey(d)));
  rsInf.onAdd((rs) => { if (controllerRefOf(rs)) enqueueOwner(rs); else enqueueMatching(rs); });
  rsInf.onUpdate((old, cur) => {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const oldRef = controllerRefOf(old);
    const curRef = controllerRefOf(cur);
    if (oldRef && oldRef.uid !== curRef?.uid) enqueueOwner(old);
    if (curRef) { enqueueOwner(cur); return; }
    if (oldRef || JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {})) enqueueMatching(cur);
  });
  rsInf.onDelete(enqueueOwner);
  // Recreate waits for the old pods to be gone
  podInf.onDelete((p) => {
    const ref = controllerRefOf(p);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = rsInf.get(`${p.metadata.namespace ?? ''}/${ref.name}`);
    if (!rs) return;
    const k = ownerKey(rs.metadata.namespace, controllerRefOf(rs));
    if (k && dInf.get(k)?.spec?.strategy?.type === 'Recreate') queue.add(k);
  });

  const dPath = (ns: string, name: string) => `/apis/apps/v1/namespaces/${enc(ns)}/deployments/${enc(name)}`;
  const rsPath = (ns: string, name?: string) => `/apis/apps/v1/namespaces/${enc(ns)}/replicasets${name ? `/${enc(name)}` : ''}`;
  const world: DeploymentSyncDeps = {
    getDeployment: (key) => dInf.get(key),
    replicaSetsControlledBy: (uid) => rsIndex.controlledBy(uid),
    orphanReplicaSetsIn: (ns) => rsIndex.orphansIn(ns),
    podsControlledBy: (uid) => podIndex.controlledBy(uid),
    now,
    requeueAfter: (key, ms) => queue.addAfter(key, ms),
    event: deps.recorder ? (obj, type, reason, msg) => deps.recorder?.event(obj, type, reason, msg) : undefined,
    api: {
      createReplicaSet: (ns, rs) => client.request<ReplicaSet>('POST', rsPath(ns), rs),
      getReplicaSet: (ns, name) => client.getOrUndefined<ReplicaSet>(rsPath(ns, name)),
      updateReplicaSet: (rs) => client.request<ReplicaSet>('PUT', rsPath(rs.metadata.namespace ?? '', rs.metadata.name ?? ''), rs),
      deleteReplicaSet: async (ns, name, uid) => {
        await client.request('DELETE', rsPath(ns, name), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', preconditions: { uid } });
      },
      patchReplicaSet: (ns, name, patch) => client.request<ReplicaSet>('PATCH', rsPath(ns, name), patch, MERGE_PATCH),
      getDeployment: (ns, name) => client.getOrUndefined<Deployment>(dPath(ns, name)),
      patchDeploymentAnnotations: (d, annotations) =>
        client.request<Deployment>('PATCH', dPath(d.metadata.namespace ?? '', d.metadata.name ?? ''), { metadata: { annotations } }, MERGE_PATCH),
      updateDeploymentStatus: (d, status: DeploymentStatus) =>
        client.request<Deployment>('PATCH', `${dPath(d.metadata.namespace ?? '', d.metadata.name ?? '')}/status`,
          { status: { ...status, conditions: status.conditions ?? null } }, MERGE_PATCH),
    },
  };

  return runController({
    name: NAME, log: deps.log.child(NAME), informers: [dInf, rsInf, podInf], queue, workers: deps.workers ?? 5,
    sync: (key) => syncDeployment(world, key),
  });
}
