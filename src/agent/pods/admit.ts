// The agent's admission of a pod bound to its node, before anything of it runs, as the kubelet's
// predicate admit handler does: the node must have room for the pod's requests (overhead included),
// match its nodeSelector and required node affinity, and its NoExecute taints must be tolerated.
// The rules are the scheduler's own (src/api/scheduling/), read from the same pod the scheduler
// read: RuntimeClass admission merged the class's overhead, nodeSelector and tolerations into it.

import type { Node, Pod, Quantity } from '../../api/gen/types.js';
import { matchesRequired, requiredNodeAffinity } from '../../api/scheduling/node-affinity.js';
import { addTo, emptyResource, parseResourceList, podRequests } from '../../api/scheduling/pod-requests.js';
import { firstUntolerated } from '../../api/scheduling/tolerations.js';
import { quantityToNumber } from '../../base/quantity.js';

export type AdmitResult = { admit: true } | { admit: false; reason: string; message: string };

const insufficient = (resource: string, requested: number, used: number, capacity: number): AdmitResult => ({
  admit: false,
  reason: `OutOf${resource}`,
  message: `Node didn't have enough resource: ${resource}, requested: ${requested}, used: ${used}, capacity: ${capacity}`,
});

const count = (q: Quantity | undefined): number => {
  try {
    return q === undefined ? 0 : quantityToNumber(q);
  } catch {
    return 0;
  }
};

/**
 * Whether `pod` may run on `node` beside `others` (the pods already admitted there and not finished).
 * The first failing check decides, in the kubelet's order: resources, node affinity, taints.
 */
export function admitPod(pod: Pod, node: Node, others: readonly Pod[]): AdmitResult {
  const alloc = node.status?.allocatable ?? node.status?.capacity ?? {};
  const maxPods = count(alloc['pods']);
  if (maxPods > 0 && others.length + 1 > maxPods) return insufficient('pods', 1, others.length, maxPods);
  const want = podRequests(pod.spec ?? { containers: [] });
  const used = emptyResource();
  for (const o of others) addTo(used, podRequests(o.spec ?? { containers: [] }));
  const have = parseResourceList(alloc);
  const checks: Array<[string, number, number, number]> = [
    ['cpu', want.milliCPU, used.milliCPU, have.milliCPU],
    ['memory', want.memory, used.memory, have.memory],
    ['ephemeral-storage', want.ephemeralStorage, used.ephemeralStorage, have.ephemeralStorage],
  ];
  for (const [name, w, u, h] of checks) if (w > 0 && u + w > h) return insufficient(name, w, u, h);
  for (const [name, w] of want.scalar) {
    const u = used.scalar.get(name) ?? 0,
      h = have.scalar.get(name) ?? 0;
    if (w > 0 && u + w > h) return insufficient(name, w, u, h);
  }
  if (!matchesRequired(requiredNodeAffinity(pod.spec), node.metadata.labels ?? {}, node.metadata.name ?? '')) {
    return {
      admit: false,
      reason: 'NodeAffinity',
      message: "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector",
    };
  }
  if (firstUntolerated(node.spec?.taints, pod.spec?.tolerations, ['NoExecute'])) {
    return {
      admit: false,
      reason: 'TaintToleration',
      message: "Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate",
    };
  }
  return { admit: true };
}
