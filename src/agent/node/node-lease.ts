// The heartbeat Lease of a node (the agent's and each simulated one): in kube-node-lease, named
// after the node, owned by it, renewed with a MicroTime.

import type { Lease } from '../../api/gen/types.js';
import { microTime } from '../../base/time.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export function nodeLeasePath(name?: string): string {
  const base = `/apis/coordination.k8s.io/v1/namespaces/${NODE_LEASE_NAMESPACE}/leases`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

export function buildNodeLease(nodeName: string, nodeUid: string | undefined, nowMs: number, durationSeconds: number, resourceVersion?: string): Lease {
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
