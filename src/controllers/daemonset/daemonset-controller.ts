// The DaemonSet controller: one pod per eligible node, rolling updates by template hash, status.
// DaemonSets, Nodes and Pods come from shared informers; handlers only enqueue DaemonSet keys.

import type { Pod } from '../../api/gen/types.js';
import { daemonSetKind } from '../../api/kinds/apps/daemonset.js';
import { nodeKind } from '../../api/kinds/core/node.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { objectKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { createExpectations } from '../shared/expectations.js';
import { OWNER_INDEXERS, ownerIndex } from '../shared/owner-index.js';
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

export function startDaemonSetController(deps: ControllerDeps & DaemonSetControllerOptions): RunningController {
  const { client } = deps;
  const now = deps.now ?? Date.now;
  const dss = deps.informers.for(daemonSetKind);
  const nodes = deps.informers.for(nodeKind);
  const pods = deps.informers.for(podKind, { indexers: OWNER_INDEXERS });
  const owned = ownerIndex(pods);
  const expectations = createExpectations(now);
  const queue = createWorkQueue<string>({ name: 'daemonset' });

  const ownerKey = (p: Pod) => controllerKey(p.metadata.namespace, controllerRefOf(p), 'DaemonSet');
  const enqueueAll = () => {
    for (const d of dss.list()) queue.add(objectKey(d));
  };

  dss.addHandlers({
    onAdd: (d) => queue.add(objectKey(d)),
    onUpdate: (_o, d) => queue.add(objectKey(d)),
    onDelete: (d) => {
      expectations.delete(objectKey(d));
    },
  });
  pods.addHandlers({
    onAdd: (p) => {
      const k = ownerKey(p);
      if (k) {
        expectations.creationObserved(k);
        queue.add(k);
      }
    },
    onUpdate: (old, p) => {
      const k = ownerKey(p);
      if (!k) return;
      if (p.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) expectations.deletionObserved(k, objectKey(p));
      queue.add(k);
    },
    onDelete: (p) => {
      const k = ownerKey(p);
      if (k) {
        expectations.deletionObserved(k, objectKey(p));
        queue.add(k);
      }
    },
  });
  nodes.addHandlers({
    onAdd: enqueueAll,
    onUpdate: (old, n) => {
      if (
        JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(n.metadata.labels ?? {}) ||
        JSON.stringify(old.spec?.taints ?? []) !== JSON.stringify(n.spec?.taints ?? [])
      )
        enqueueAll();
    },
    onDelete: enqueueAll,
  });

  async function sync(key: string): Promise<void> {
    const ds = dss.get(key);
    if (!ds || ds.metadata.deletionTimestamp) return;
    const mine = owned.controlledBy(ds.metadata.uid ?? '');
    const plan = planDaemonSet(ds, nodes.list(), mine, now());
    if (expectations.satisfied(key)) {
      const hash = templateHash(ds);
      const firstError = await applyPodPlan({
        client,
        recorder: deps.recorder,
        expectations,
        key,
        owner: ds,
        namespace: ds.metadata.namespace ?? '',
        create: plan.create,
        podFor: (node) => daemonPod(ds, node, hash, deps.assignNodeName === true),
        delete: plan.delete,
      });
      if (firstError) throw firstError;
    }
    const status = statusChange(ds, plan.status);
    if (status) {
      await client
        .resource(daemonSetKind)
        .namespace(ds.metadata.namespace ?? '')
        .updateStatus({ ...ds, status });
    }
    if (plan.recheckMs !== undefined) queue.addAfter(key, plan.recheckMs + 10);
  }

  return runController({ name: NAME, log: deps.log.child(NAME), informers: [dss, nodes, pods], queue, workers: deps.workers ?? 2, sync });
}
