// Which pods a ReplicaSet gives up first when it has too many, following upstream's ordering:
// unscheduled before scheduled, Pending before Unknown before Running, not Ready before Ready,
// lower pod-deletion-cost first, pods sharing a node with more siblings first, Ready for a
// shorter time first, more container restarts first, newer before older.

import type { Pod } from '../../api/gen/types.js';
import { ANNOTATION_POD_DELETION_COST } from '../../api/well-known.js';
import { isPodReady, readySince } from '../shared/pod-status.js';

const phaseOrdinal = (p: Pod): number => {
  switch (p.status?.phase) {
    case 'Pending':
      return 0;
    case 'Unknown':
      return 1;
    case 'Running':
      return 2;
    default:
      return 0;
  }
};

const deletionCost = (p: Pod): number => {
  const v = p.metadata.annotations?.[ANNOTATION_POD_DELETION_COST];
  const n = v === undefined ? 0 : Number(v);
  return Number.isInteger(n) ? n : 0;
};

const restarts = (p: Pod): number => {
  let max = 0;
  for (const c of p.status?.containerStatuses ?? []) max = Math.max(max, c.restartCount ?? 0);
  return max;
};

const created = (p: Pod): number => {
  const t = p.metadata.creationTimestamp ? Date.parse(p.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? 0 : t;
};

/** Negative when `a` should be deleted before `b`. `rank` counts siblings on a pod's node. */
function compareForDeletion(a: Pod, b: Pod, rank: (p: Pod) => number): number {
  const aNode = a.spec?.nodeName ?? '';
  const bNode = b.spec?.nodeName ?? '';
  if ((aNode === '') !== (bNode === '')) return aNode === '' ? -1 : 1;
  const ph = phaseOrdinal(a) - phaseOrdinal(b);
  if (ph !== 0) return ph;
  const ar = isPodReady(a);
  const br = isPodReady(b);
  if (ar !== br) return ar ? 1 : -1;
  const cost = deletionCost(a) - deletionCost(b);
  if (cost !== 0) return cost;
  const rk = rank(b) - rank(a);
  if (rk !== 0) return rk;
  if (ar && br) {
    const at = readySince(a) ?? 0;
    const bt = readySince(b) ?? 0;
    if (at !== bt) return bt - at; // the one Ready more recently goes first
  }
  const rs = restarts(b) - restarts(a);
  if (rs !== 0) return rs;
  const ct = created(b) - created(a);
  if (ct !== 0) return ct; // newer first
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** The `count` pods of `pods` to delete first; `related` (active pods of the owner) give node ranks. */
export function podsToDelete(pods: readonly Pod[], count: number, related: readonly Pod[] = pods): Pod[] {
  if (count >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of related) {
    const n = p.spec?.nodeName;
    if (n) onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const rank = (p: Pod) => (p.spec?.nodeName ? (onNode.get(p.spec.nodeName) ?? 0) : 0);
  return [...pods].sort((a, b) => compareForDeletion(a, b, rank)).slice(0, count);
}
