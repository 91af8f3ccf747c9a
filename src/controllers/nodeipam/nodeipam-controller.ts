// The node IPAM controller (upstream's range allocator in kube-controller-manager): every Node gets
// a pod range from the cluster CIDR, written to spec.podCIDR and spec.podCIDRs. The used set is
// recovered from the Nodes at start before any Node is given a range; a deleted Node's range is
// freed; when the range is exhausted the Node gets a CIDRNotAvailable event and is retried.

import type { Node } from '../../api/gen/types.js';
import { nodeKind } from '../../api/kinds/core/node.js';
import { StatusError } from '../../base/errors.js';
import { createWorkQueue } from '../../base/work-queue.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { createCidrSet } from './cidr-set.js';
import { decideNode, observeNode, undoAssign, type Assignments } from './nodeipam-decide.js';

const NAME = 'nodeipam';

interface NodeIpamOptions {
  /** default 10.42.0.0/16 */
  clusterCidr?: string;
  /** default 24 */
  nodeCidrMaskSize?: number;
}

export function startNodeIpamController(deps: ControllerDeps & NodeIpamOptions): RunningController {
  const log = deps.log.child(NAME);
  const set = createCidrSet(deps.clusterCidr ?? '10.42.0.0/16', deps.nodeCidrMaskSize ?? 24);
  const held: Assignments = new Map();
  const nodes = deps.informers.for(nodeKind);
  const queue = createWorkQueue<string>({ name: 'node_ipam' });
  /** Nodes told about exhaustion already (one event per Node until it gets a range) */
  const exhausted = new Set<string>();
  let recovered = false;

  const enqueue = (n: Node) => queue.add(n.metadata.name ?? '');
  nodes.addHandlers({
    onAdd: enqueue,
    onUpdate: (_o, n) => enqueue(n),
    onDelete: enqueue,
  });

  async function sync(name: string): Promise<void> {
    if (!recovered) {
      // every range in use is known before the first one is handed out
      for (const n of nodes.list()) observeNode(n, set, held);
      recovered = true;
      log.info('pod ranges recovered from the Nodes', { cluster: set.cluster, used: set.used(), total: set.total });
    }
    const node = nodes.get(name);
    const action = decideNode(name, node, set, held);
    if (action.kind === 'none' || !node) {
      if (node && node.spec?.podCIDR) exhausted.delete(name);
      return;
    }
    if (action.kind === 'exhausted') {
      if (!exhausted.has(name)) {
        exhausted.add(name);
        deps.recorder?.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        log.warn('no pod range left for the Node', { node: name, cluster: set.cluster, total: set.total });
      }
      throw new Error(
        `failed to allocate a pod range for node ${name}: ${set.cluster} is exhausted (${set.total} /${set.maskSize} blocks)`,
      );
    }
    try {
      // the resourceVersion makes the write conditional: a Node that got a range meanwhile keeps its own
      await deps.client.resource(nodeKind).patch(name, {
        metadata: { resourceVersion: node.metadata.resourceVersion },
        spec: { podCIDR: action.cidr, podCIDRs: [action.cidr] },
      });
      log.info('pod range assigned', { node: name, podCIDR: action.cidr });
    } catch (e) {
      undoAssign(name, action.cidr, set, held);
      if (e instanceof StatusError && e.code === 404) return;
      throw e;
    }
  }

  return runController({ name: NAME, log, informers: [nodes], queue, workers: 1, sync });
}
