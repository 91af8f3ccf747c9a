// One reconcile of one Deployment: claim ReplicaSets, note pause/resume in the Progressing
// condition, then either resize (a scaling event or a paused Deployment) or roll out by strategy.

import { isScalingEvent } from './deployment-decide.js';
import { hasProgressDeadline } from './deployment-util.js';
import { calculateStatus, getCondition, newCondition, PROGRESSING, REASONS, sameStatus, setCondition } from './deployment-status.js';
import type { DeploymentSyncDeps } from './deployment-sync-deps.js';
import { claimReplicaSets, getAllReplicaSetsAndSyncRevision, writeStatus, type SyncCtx } from './replica-sets.js';
import { rolloutRecreate, rolloutRolling, syncScaleOnly } from './rollout.js';

/** Records pause and resume in the Progressing condition (unless the rollout already timed out). */
async function checkPausedConditions(c: SyncCtx): Promise<void> {
  const d = c.d;
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, PROGRESSING);
  if (cond?.reason === REASONS.timedOut) return;
  const pausedNoted = cond?.reason === REASONS.paused;
  const now = c.w.now();
  const st = (d.status ??= {});
  if (d.spec?.paused && !pausedNoted) setCondition(st, newCondition(PROGRESSING, 'Unknown', REASONS.paused, 'Deployment is paused', now));
  else if (!d.spec?.paused && pausedNoted)
    setCondition(st, newCondition(PROGRESSING, 'Unknown', REASONS.resumed, 'Deployment is resumed', now));
  else return;
  await writeStatus(c);
}

export async function syncDeployment(w: DeploymentSyncDeps, key: string): Promise<void> {
  const cached = w.getDeployment(key);
  if (!cached) return;
  const c: SyncCtx = { w, d: structuredClone(cached), key };
  const rsList = await claimReplicaSets(c);
  if (c.d.metadata.deletionTimestamp) {
    const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, false);
    const status = calculateStatus([...oldRSs, newRS], newRS, c.d, w.now());
    if (!sameStatus(c.d.status, status)) {
      c.d.status = status;
      await writeStatus(c);
    }
    return;
  }
  await checkPausedConditions(c);
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, false);
  // the lists above may hold ReplicaSets updated since; re-read them from the cache-derived list
  const fresh = rsList.map((rs) => (newRS && rs.metadata.uid === newRS.metadata.uid ? newRS : rs));
  if (c.d.spec?.paused || isScalingEvent(c.d.spec?.replicas ?? 1, [...oldRSs, newRS])) {
    await syncScaleOnly(c, fresh);
    return;
  }
  if (c.d.spec?.strategy?.type === 'Recreate') await rolloutRecreate(c, fresh);
  else await rolloutRolling(c, fresh);
}
