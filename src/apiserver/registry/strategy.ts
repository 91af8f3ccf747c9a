// Per-kind status rules the generic lifecycle needs: what status a new object starts with when
// the kind has a status subresource (clients cannot set it on create).

import type { KindDef } from '../../api/kind.js';
import type { AnyObject } from '../../api/object.js';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});

/** Pod QoS class from requests and limits (Guaranteed, Burstable, BestEffort), as upstream computes it. */
function qosClass(spec: Rec): string {
  const containers = [...((spec['containers'] as unknown[]) ?? []), ...((spec['initContainers'] as unknown[]) ?? [])].map(rec);
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const res = rec(c['resources']);
    const req = rec(res['requests']);
    const lim = rec(res['limits']);
    for (const r of ['cpu', 'memory']) {
      const q = req[r] ?? lim[r];
      if (q !== undefined) any = true;
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function initialStatus(kind: KindDef, obj: AnyObject): unknown {
  const key = `${kind.group}/${kind.kind}`;
  switch (key) {
    case '/Pod':
      return { phase: 'Pending', qosClass: qosClass(rec(obj['spec'])) };
    case '/Namespace':
      return { phase: 'Active' };
    case '/Service':
      return { loadBalancer: {} };
    case '/Node': // nodes register with their status
      return obj['status'];
    case 'policy/PodDisruptionBudget': // upstream's zero counters, in its field order
      return { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
    default:
      return {};
  }
}
