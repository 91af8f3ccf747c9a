// The DaemonSet controller: one pod per eligible node, rolling updates by template hash, status.
// DaemonSets, Nodes and Pods come from shared informers; handlers only enqueue DaemonSet keys.

import type { DaemonSet, Node, Pod } from '../../api/gen/types.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { objectKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { createExpectations } from '../shared/expectations.js';
import { createOwnerIndex } from '../shared/owner-index.js';
import { controllerKey, controllerRefOf } from '../shared/owner-refs.js';
import { applyPodPlan } from '../shared/pod-control.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { daemonPod } from './daemon-pod.js';
import { planDaemonSet, statusChange, templateHash } from './daemonset-decide.js';

export interface DaemonSetControllerOptions {
  /** Set spec.nodeName on created pods instead of pinning them by node affinity for the scheduler (default false). */
  assignNodeName?: boolean;
}

const NAME = 'daemonset';
export const DAEMONSETS_PATH = '/apis/apps/v1/daemonsets';
const NODES_PATH = '/api/v1/nodes';
const PODS_PATH = '/api/v1/pods';


export function startDaemonSetController(deps: ControllerDeps & DaemonSetControllerOptions): RunningController {
  const { client } = deps;
  const now = deps.now ?? Date.now;
  const dss = deps.informers.informer<DaemonSet>(DAEMONSETS_PATH);
  const nodes = deps.informers.informer<Node>(NODES_PATH);
  const pods = deps.informers.informer<Pod>(PODS_PATH);
  const owned = createOwnerIndex(pods);
  const expectations = createExpectations(now);
  const queue = createWorkQueue<string>();

  const ownerKey = (p: Pod) => controllerKey(p.metadata.namespace, controllerRefOf(p), 'DaemonSet');
  const enqueueAll = () => { for (const d of dss.list()) queue.add(objectKey(d)); };

  dss.onAdd((d) => queue.add(objectKey(d)));
  dss.onUpdate((_o, d) => queue.add(objectKey(d)));
  dss.onDelete((d) => { expectations.delete(objectKey(d)); });
  pods.onAdd((p) => { const k = ownerKey(p); if (k) { expectations.creationObserved(k); queue.add(k); } });
  pods.onUpdate((old, p) => {
    const k = ownerKey(p);
    if (!k) return;
    if (p.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) expectations.deletionObserved(k, objectKey(p));
    queue.add(k);
  });
  pods.onDelete((p) => { const k = ownerKey(p); if (k) { expectations.deletionObserved(k, objectKey(p)); queue.add(k); } });
  nodes.onAdd(enqueueAll);
  nodes.onUpdate((old, n) => {
    if (JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(n.metadata.labels ?? {})
      || JSON.stringify(old.spec?.taints ?? []) !== JSON.stringify(n.spec?.taints ?? [])) enqueueAll();
  });
  nodes.onDelete(enqueueAll);

  async function sync(key: string): Promise<void> {
    const ds = dss.get(key);
    if (!ds || ds.metadata.deletionTimestamp) return;
    const mine = owned.controlledBy(ds.metadata.uid ?? '');
    const plan = planDaemonSet(ds, nodes.list(), mine, now());
    if (expectations.satisfied(key)) {
      const hash = templateHash(ds);
      const firstError = await applyPodPlan({
        client, recorder: deps.recorder, expectations, key, owner: ds, namespace: ds.metadata.namespace ?? '',
        create: plan.create, podFor: (node) => daemonPod(ds, node, hash, deps.assignNodeName === true), delete: plan.delete,
      });
      if (firstError) throw firstError;
    }
    const status = statusChange(ds, plan.status);
    if (status) {
      await client.request('PUT', `${DAEMONSETS_PATH.replace('/daemonsets', '')}/namespaces/${ds.metadata.namespace ?? ''}/daemonsets/${encodeURIComponent(ds.metadata.name ?? '')}/status`,
        { ...ds, status });
    }
    if (plan.recheckMs !== undefined) queue.addAfter(key, plan.recheckMs + 10);
  }

  return runController({ name: NAME, log: deps.log.child(NAME), informers: [dss, nodes, pods], queue, workers: deps.workers ?? 2, sync });
}
