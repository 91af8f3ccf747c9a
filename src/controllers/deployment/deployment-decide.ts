// The Deployment's pure decisions: whether a change is a resize or a new template, how a resize is
// shared among active ReplicaSets (proportional scaling), and whether a Recreate rollout must still
// wait for old pods. rollout.ts carries them out.

import type { Pod, ReplicaSet } from '../../api/gen/types.js';
import { ANNOTATION_DEPLOYMENT_DESIRED_REPLICAS, ANNOTATION_DEPLOYMENT_MAX_REPLICAS } from '../../api/well-known.js';
import { activeOnly, actualTotal, created, intAnnotation, specReplicas, specTotal } from './deployment-util.js';

/** A resize rather than a template change: an active ReplicaSet was sized for another replica count. */
export function isScalingEvent(n: number, all: readonly (ReplicaSet | undefined)[]): boolean {
  return activeOnly(all).some((rs) => {
    const desired = intAnnotation(rs, ANNOTATION_DEPLOYMENT_DESIRED_REPLICAS);
    return desired !== undefined && desired !== n;
  });
}

/** The only active ReplicaSet; with none active, the new one or else the newest old one. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const active = activeOnly([...oldRSs, newRS]);
  if (active.length === 1) return active[0];
  if (active.length > 1) return undefined;
  if (newRS) return newRS;
  return [...oldRSs].sort((a, b) => created(b) - created(a))[0];
}

/** How many replicas an active ReplicaSet gains (or loses) when the Deployment is resized. */
function proportion(rs: ReplicaSet, dReplicas: number, dMaxSurge: number, dStatusReplicas: number, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (dReplicas === 0) fraction = -specReplicas(rs);
  else {
    const annotated = intAnnotation(rs, ANNOTATION_DEPLOYMENT_MAX_REPLICAS) ?? dStatusReplicas;
    const size = annotated > 0 ? (specReplicas(rs) * (dReplicas + dMaxSurge)) / annotated : specReplicas(rs);
    fraction = Math.round(size) - specReplicas(rs);
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** New sizes for proportional scaling of several active ReplicaSets (name -> size). */
export function proportionalSizes(
  active: readonly ReplicaSet[],
  dReplicas: number,
  dMaxSurge: number,
  dStatusReplicas: number,
): Map<string, number> {
  const allowed = dReplicas > 0 ? dReplicas + dMaxSurge : 0;
  const toAdd = allowed - specTotal(active);
  const bySize = [...active].sort(
    (a, b) =>
      specReplicas(b) - specReplicas(a) ||
      (toAdd > 0 ? created(b) - created(a) : created(a) - created(b)) ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of bySize) {
    const p = proportion(rs, dReplicas, dMaxSurge, dStatusReplicas, toAdd, added);
    sizes.set(rs.metadata.name ?? '', specReplicas(rs) + p);
    added += p;
  }
  const first = bySize[0];
  if (first && toAdd !== 0) {
    const name = first.metadata.name ?? '';
    sizes.set(name, Math.max(0, (sizes.get(name) ?? 0) + toAdd - added));
  }
  return sizes;
}

/** Old pods still exist: an old ReplicaSet reports replicas, or a pod of one has not finished. */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], podsOf: (rs: ReplicaSet) => Pod[]): boolean {
  if (actualTotal(oldRSs) > 0) return true;
  for (const rs of oldRSs) {
    if (newRS && rs.metadata.uid === newRS.metadata.uid) continue;
    for (const p of podsOf(rs)) {
      const phase = p.status?.phase;
      if (phase !== 'Failed' && phase !== 'Succeeded') return true;
    }
  }
  return false;
}
