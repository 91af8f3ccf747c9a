// The node lifecycle controller: watches Nodes and their Leases in kube-node-lease. A node whose
// heartbeats (Lease renewals or status updates, as seen by this controller) stop for the grace
// period gets its kubelet-owned conditions set to Unknown. Node taints follow the conditions
// (not-ready / unreachable NoSchedule+NoExecute, unschedulable, pressure). Pods on a node with
// NoExecute taints are deleted at once when they do not tolerate them, or after their
// tolerationSeconds; a pod whose graceful deletion cannot finish because its node is not Ready is
// force-deleted (grace 0) once its grace period has passed.

import type { Lease, Node, Pod } from '../../api/gen/types.js';
import { leaseKind } from '../../api/kinds/coordination/lease.js';
import { nodeKind } from '../../api/kinds/core/node.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { StatusError } from '../../base/errors.js';
import { rfc3339 } from '../../base/time.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { objectRef } from '../../base/log.js';
import { objectKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { conditionOf, desiredTaints, noExecuteTaintedAt, planEvictions, readyStatus, staleConditions } from './node-decide.js';
import { POD_NODE_INDEXERS, podsOnNode } from '../../client/pod-indexes.js';

export interface NodeLifecycleOptions {
  /** A node is stale when no heartbeat was seen for this long (default 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** How often nodes are checked for staleness (default 5 s, at most the grace period / 2). */
  nodeMonitorPeriodMs?: number;
  /** Mark pods of a not-Ready node not Ready (default true). */
  markPodsNotReady?: boolean;
}

const NAME = 'node-lifecycle';
/** Where node agents renew their Leases (one per node, named after it). */
const NODE_LEASE_NAMESPACE = 'kube-node-lease';

const ignoreGone = (e: unknown) => {
  if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
};

export function startNodeLifecycleController(deps: ControllerDeps & NodeLifecycleOptions): RunningController {
  const opts = deps;
  const now = deps.now ?? Date.now;
  const grace = opts.nodeMonitorGracePeriodMs ?? 40_000;
  const period = Math.max(10, Math.min(opts.nodeMonitorPeriodMs ?? 5_000, grace / 2));
  const markPods = opts.markPodsNotReady ?? true;
  const { client } = deps;
  const log = deps.log.child(NAME);
  const nodes = deps.informers.for(nodeKind);
  // every namespace's Leases, filtered here: the garbage collector reads this same shared cache, so the
  // 500 renewals/s of 5,000 nodes are decoded once in the control loops, not once per watcher
  const leases = deps.informers.for(leaseKind);
  const pods = deps.informers.for(podKind, { indexers: POD_NODE_INDEXERS });
  const nodeApi = client.resource(nodeKind);
  const podsIn = (p: Pod) => client.resource(podKind).namespace(p.metadata.namespace ?? '');
  const queue = createWorkQueue<string>({ name: 'node_lifecycle_controller' });
  /** node name -> when this controller last saw a heartbeat */
  const heartbeat = new Map<string, number>();
  /** node name -> when NoExecute taints were first seen without a timeAdded */
  const taintSeen = new Map<string, number>();

  const stale = (name: string) => now() - (heartbeat.get(name) ?? now()) > grace;
  const hasNoExecute = (n: Node | undefined) => (n?.spec?.taints ?? []).some((t) => t.effect === 'NoExecute');

  /** A pod change on a node with NoExecute taints, or a new or terminating pod on a not-Ready one, is work for that node. */
  const podChanged = (nodeName: string | undefined, old: Pod | undefined, pod: Pod | undefined) => {
    const node = nodeName ? nodes.get(nodeName) : undefined;
    if (!nodeName || !node) return;
    const notReady = readyStatus(node) !== 'True';
    if (hasNoExecute(node) || (notReady && (pod?.metadata.deletionTimestamp || !old))) queue.add(nodeName);
  };
  pods.addHandlers({
    onAdd: (p) => podChanged(p.spec?.nodeName, undefined, p),
    onUpdate: (old, p) => podChanged(p.spec?.nodeName, old, p),
    onDelete: (p) => podChanged(p.spec?.nodeName, p, undefined),
  });

  nodes.addHandlers({
    onAdd: (n) => {
      const name = n.metadata.name ?? '';
      if (!heartbeat.has(name)) heartbeat.set(name, now());
      queue.add(name);
    },
    onUpdate: (old, n) => {
      const name = n.metadata.name ?? '';
      const hbOld = conditionOf(old, 'Ready')?.lastHeartbeatTime;
      const hbNew = conditionOf(n, 'Ready')?.lastHeartbeatTime;
      if (hbNew !== undefined && hbNew !== hbOld) heartbeat.set(name, now());
      const taintsChanged = JSON.stringify(old.spec?.taints ?? []) !== JSON.stringify(n.spec?.taints ?? []);
      const condChanged =
        JSON.stringify((old.status?.conditions ?? []).map((c) => [c.type, c.status])) !==
        JSON.stringify((n.status?.conditions ?? []).map((c) => [c.type, c.status]));
      if (taintsChanged || condChanged || old.spec?.unschedulable !== n.spec?.unschedulable) queue.add(name);
    },
    onDelete: (n) => {
      heartbeat.delete(n.metadata.name ?? '');
      taintSeen.delete(n.metadata.name ?? '');
    },
  });
  const onLease = (old: Lease | undefined, l: Lease) => {
    if (l.metadata.namespace !== NODE_LEASE_NAMESPACE) return;
    if (old && old.spec?.renewTime === l.spec?.renewTime) return;
    const name = l.metadata.name ?? '';
    heartbeat.set(name, now());
  };
  leases.addHandlers({ onAdd: (l) => onLease(undefined, l), onUpdate: onLease });

  async function sync(name: string): Promise<void> {
    let node = nodes.get(name);
    if (!node) return;
    if (stale(name)) {
      const conds = staleConditions(node, now());
      if (conds) {
        const wasReady = readyStatus(node);
        node = await nodeApi.updateStatus({ ...node, status: { ...node.status, conditions: conds } });
        log.info('node stopped posting status: Ready is now Unknown', { node: name, wasReady });
        deps.recorder?.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
    }
    const taints = desiredTaints(node, now());
    if (taints) {
      node = await nodeApi.patch(name, { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints } }, 'merge');
    }
    if (!hasNoExecute(node)) taintSeen.delete(name);
    else if (!taintSeen.has(name)) taintSeen.set(name, now());
    const since = noExecuteTaintedAt(node) ?? taintSeen.get(name) ?? now();
    const plan = planEvictions(node, podsOnNode(pods, name), now(), since);
    for (const p of plan.evict) {
      await podsIn(p)
        .delete(p.metadata.name ?? '', { preconditions: { uid: p.metadata.uid } })
        .catch(ignoreGone);
      deps.recorder?.event(p, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${objectKey(p)}`);
    }
    for (const p of plan.forceDelete) {
      await podsIn(p)
        .delete(p.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid } })
        .catch(ignoreGone);
      log.info('force-deleted a pod on a not-Ready node', { pod: objectRef(p), node: name });
    }
    if (markPods) {
      for (const p of plan.markNotReady) {
        const at = rfc3339(now());
        const conditions = (p.status?.conditions ?? []).map((c) =>
          c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: at } : c,
        );
        await podsIn(p)
          .updateStatus({ ...p, status: { ...p.status, conditions } })
          .catch(ignoreGone);
      }
    }
    if (plan.recheckMs !== undefined) queue.addAfter(name, plan.recheckMs + 10);
  }

  /** Nodes whose heartbeats stopped are enqueued by time alone. */
  const monitor = () => {
    for (const n of nodes.list()) {
      const name = n.metadata.name ?? '';
      if (stale(name) && staleConditions(n, now()) !== undefined) queue.add(name);
    }
  };

  return runController({
    name: NAME,
    log,
    informers: [nodes, leases, pods],
    queue,
    workers: deps.workers ?? 2,
    sync,
    periodic: { everyMs: period, run: monitor },
  });
}
