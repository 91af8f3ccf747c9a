// Node objects for the pod network's tests: a name, an InternalIP and a pod CIDR are all the
// planner reads.

import type { Node, NodeAddress, NodeSpec } from '../../../api/gen/types.js';

export function mkNode(
  name: string,
  ip: string | undefined,
  podCidr: string | undefined,
  more: { podCIDRs?: string[]; podCIDR?: string; extraAddresses?: NodeAddress[] } = {},
): Node {
  const spec: NodeSpec = {};
  if (podCidr) Object.assign(spec, { podCIDR: podCidr, podCIDRs: [podCidr] });
  if (more.podCIDR) spec.podCIDR = more.podCIDR;
  if (more.podCIDRs) spec.podCIDRs = more.podCIDRs;
  const addresses: NodeAddress[] = [...(more.extraAddresses ?? []), { type: 'Hostname', address: name }];
  if (ip) addresses.push({ type: 'InternalIP', address: ip });
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec, status: { addresses } };
}
