// What the node IPAM controller does with one Node, as a pure function of the Node and the
// controller's memory: a Node that has a pod range keeps it (and the range is marked used), a Node
// without one gets the next free block, and a Node that is gone gives its block back.

import type { Node } from '../../api/gen/types.js';
import type { CidrSet } from './cidr-set.js';

export type NodeCidrAction =
  /** nothing to write (the Node has its range, or is gone) */
  | { kind: 'none' }
  /** write spec.podCIDR and spec.podCIDRs (the block is already taken from the set) */
  | { kind: 'assign'; cidr: string }
  /** no block left: the CIDRNotAvailable event */
  | { kind: 'exhausted' };

/** The controller's memory: which block each Node name holds (to free it when the Node goes). */
export type Assignments = Map<string, string>;

/** The pod range a Node already has (podCIDRs first, as upstream reads it). */
function nodePodCidr(node: Node): string | undefined {
  return node.spec?.podCIDRs?.[0] || node.spec?.podCIDR || undefined;
}

/** Records the ranges of Nodes that have one (start-up recovery, and every update). */
export function observeNode(node: Node, set: CidrSet, held: Assignments): void {
  const name = node.metadata.name ?? '';
  const cidr = nodePodCidr(node);
  if (!cidr) return;
  const before = held.get(name);
  if (before === cidr) return;
  if (before) set.release(before);
  set.occupy(cidr); // a range outside the cluster CIDR (given to the agent by hand) is kept, not tracked
  held.set(name, cidr);
}

export function decideNode(name: string, node: Node | undefined, set: CidrSet, held: Assignments): NodeCidrAction {
  if (!node || node.metadata.deletionTimestamp) {
    const cidr = held.get(name);
    if (cidr !== undefined && !node) {
      set.release(cidr);
      held.delete(name);
    }
    return { kind: 'none' };
  }
  if (nodePodCidr(node)) {
    observeNode(node, set, held);
    return { kind: 'none' };
  }
  // a block given earlier whose write the cache has not shown yet is given again, not a new one
  const pending = held.get(name);
  if (pending !== undefined) return { kind: 'assign', cidr: pending };
  const cidr = set.allocateNext();
  if (cidr === undefined) return { kind: 'exhausted' };
  held.set(name, cidr);
  return { kind: 'assign', cidr };
}

/** Forgets a block whose write failed (the Node changed or went away), so it can be given again. */
export function undoAssign(name: string, cidr: string, set: CidrSet, held: Assignments): void {
  if (held.get(name) !== cidr) return;
  held.delete(name);
  set.release(cidr);
}
