// The heartbeat Lease of a node (the agent's and each simulated one): in kube-node-lease, named
// after the node, owned by it, renewed with a MicroTime.

import type { Lease } from '../../api/gen/types.js';
import { leaseKind } from '../../api/kinds/coordination/lease.js';
import type { ResourceClient } from '../../client/resource.js';
import type { RestClient } from '../../client/rest-client.js';
import { microTime } from '../../base/time.js';

const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** The node Leases' resource: kube-node-lease. */
export const nodeLeases = (client: RestClient): ResourceClient<Lease> => client.resource(leaseKind).namespace(NODE_LEASE_NAMESPACE);

export function buildNodeLease(
  nodeName: string,
  nodeUid: string | undefined,
  nowMs: number,
  durationSeconds: number,
  resourceVersion?: string,
): Lease {
  const metadata: Lease['metadata'] = { name: nodeName, namespace: NODE_LEASE_NAMESPACE };
  if (resourceVersion) metadata.resourceVersion = resourceVersion;
  if (nodeUid) metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }];
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata,
    spec: { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime: microTime(nowMs) },
  };
}
