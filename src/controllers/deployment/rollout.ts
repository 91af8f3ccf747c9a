// The two rollout strategies and proportional scaling, step by step as upstream takes them, with the
// API calls each step makes (the arithmetic that decides them is deployment-decide.ts).

import type { ReplicaSet } from '../../api/gen/types.js';
import { findActiveOrLatest, oldPodsRunning, proportionalSizes } from './deployment-decide.js';
import { calculateStatus, deploymentComplete, rolloutStatus, sameStatus } from './deployment-status.js';
import {
  activeOnly,
  availableTotal,
  byCreation,
  isRollingUpdate,
  isSaturated,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  replicasOf,
  specReplicas,
  specTotal,
} from './deployment-util.js';
import {
  cleanupHistory,
  getAllReplicaSetsAndSyncRevision,
  scaleIfNeeded,
  scaleReplicaSet,
  writeStatus,
  type SyncCtx,
} from './replica-sets.js';

/** Writes the rollout status when it changed; otherwise schedules the deadline check. */
async function syncRolloutStatus(c: SyncCtx, all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
  const { status, recheckMs } = rolloutStatus(all, newRS, c.d, c.w.now());
  if (sameStatus(c.d.status, status)) {
    if (recheckMs !== undefined) c.w.requeueAfter(c.key, recheckMs);
    return;
  }
  c.d.status = status;
  await writeStatus(c);
}

// ------------------------------------------------------------------ RollingUpdate

async function reconcileNewReplicaSet(c: SyncCtx, all: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const n = replicasOf(c.d);
  if (specReplicas(newRS) === n) return false;
  if (specReplicas(newRS) > n) return (await scaleIfNeeded(c, newRS, n)).scaled;
  return (await scaleIfNeeded(c, newRS, newRSNewReplicas(c.d, all, newRS))).scaled;
}

/** Old ReplicaSets with unavailable pods shrink first, by at most `maxCleanup` in total. */
async function cleanupUnhealthyReplicas(
  c: SyncCtx,
  oldRSs: ReplicaSet[],
  maxCleanup: number,
): Promise<{ rss: ReplicaSet[]; count: number }> {
  const rss = [...oldRSs].sort(byCreation);
  let total = 0;
  for (let i = 0; i < rss.length; i++) {
    if (total >= maxCleanup) break;
    const rs = rss[i] as ReplicaSet;
    const spec = specReplicas(rs);
    const avail = rs.status?.availableReplicas ?? 0;
    if (spec === 0 || spec === avail) continue;
    const down = Math.min(maxCleanup - total, spec - avail);
    rss[i] = (await scaleIfNeeded(c, rs, spec - down)).rs;
    total += down;
  }
  return { rss, count: total };
}

/** Shrinks old ReplicaSets (oldest first) as far as availability above the minimum allows. */
async function scaleDownOldForRollingUpdate(c: SyncCtx, all: readonly ReplicaSet[], oldRSs: ReplicaSet[]): Promise<number> {
  const minAvailable = replicasOf(c.d) - maxUnavailable(c.d);
  const available = availableTotal(all);
  if (available <= minAvailable) return 0;
  const budget = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= budget) break;
    const spec = specReplicas(rs);
    if (spec === 0) continue;
    const down = Math.min(spec, budget - total);
    await scaleIfNeeded(c, rs, spec - down);
    total += down;
  }
  return total;
}

async function reconcileOldReplicaSets(c: SyncCtx, all: ReplicaSet[], activeOld: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  if (specTotal(activeOld) === 0) return false;
  const minAvailable = replicasOf(c.d) - maxUnavailable(c.d);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = specTotal(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = await cleanupUnhealthyReplicas(c, activeOld, maxScaledDown);
  const scaled = await scaleDownOldForRollingUpdate(c, [...cleaned.rss, newRS], cleaned.rss);
  return cleaned.count + scaled > 0;
}

export async function rolloutRolling(c: SyncCtx, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, true);
  if (!newRS) return;
  const all = [...oldRSs, newRS];
  if (await reconcileNewReplicaSet(c, all, newRS)) {
    await syncRolloutStatus(c, all, newRS);
    return;
  }
  if (await reconcileOldReplicaSets(c, all, activeOnly(oldRSs), newRS)) {
    await syncRolloutStatus(c, all, newRS);
    return;
  }
  if (deploymentComplete(c.d, c.d.status ?? {})) await cleanupHistory(c, oldRSs);
  await syncRolloutStatus(c, all, newRS);
}

// ------------------------------------------------------------------ Recreate

export async function rolloutRecreate(c: SyncCtx, rsList: ReplicaSet[]): Promise<void> {
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, false);
  let all: (ReplicaSet | undefined)[] = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of activeOnly(oldRSs)) if ((await scaleIfNeeded(c, rs, 0)).scaled) scaledDown = true;
  if (scaledDown) {
    await syncRolloutStatus(c, all, newRS);
    return;
  }
  if (oldPodsRunning(newRS, oldRSs, (rs) => c.w.podsControlledBy(rs.metadata.uid ?? ''))) {
    await syncRolloutStatus(c, all, newRS);
    return;
  }
  if (!newRS) {
    ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, true));
    all = [...oldRSs, newRS];
  }
  if (newRS) await scaleIfNeeded(c, newRS, replicasOf(c.d));
  if (deploymentComplete(c.d, c.d.status ?? {})) await cleanupHistory(c, oldRSs);
  await syncRolloutStatus(c, all, newRS);
}

// ------------------------------------------------------------------ scaling events

async function scaleDeployment(c: SyncCtx, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
  const d = c.d;
  const n = replicasOf(d);
  const only = findActiveOrLatest(newRS, oldRSs);
  if (only) {
    if (specReplicas(only) !== n) await scaleIfNeeded(c, only, n);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const rs of activeOnly(oldRSs)) await scaleIfNeeded(c, rs, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const active = activeOnly([...oldRSs, newRS]);
  const sizes = proportionalSizes(active, n, maxSurge(d), d.status?.replicas ?? 0);
  for (const rs of active) await scaleReplicaSet(c, rs, sizes.get(rs.metadata.name ?? '') ?? specReplicas(rs));
}

/** Scaling and paused Deployments: resize, clean up history when paused, write the status (no progress conditions). */
export async function syncScaleOnly(c: SyncCtx, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, false);
  await scaleDeployment(c, newRS, oldRSs);
  if (c.d.spec?.paused) await cleanupHistory(c, oldRSs);
  const status = calculateStatus([...oldRSs, newRS], newRS, c.d, c.w.now());
  if (!sameStatus(c.d.status, status)) {
    c.d.status = status;
    await writeStatus(c);
  }
}
