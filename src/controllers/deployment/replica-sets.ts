// The Deployment's ReplicaSets: claiming them, finding (or creating) the new one and syncing
// revisions, scaling one with its annotations and event, and removing old ones past the history limit.

import { StatusError } from '../../base/errors.js';
import type { Deployment, ReplicaSet } from '../../api/gen/types.js';
import { ANNOTATION_DEPLOYMENT_REVISION } from '../../api/well-known.js';
import { adoptPatch, controllerRefOf, newControllerRef, releasePatch } from '../shared/owner-refs.js';
import { selectorMatcher } from '../shared/selector-cache.js';
import { errorText } from '../shared/error-text.js';
import { getCondition, newCondition, PROGRESSING, REASONS, setCondition } from './deployment-status.js';
import {
  byRevision,
  equalIgnoreHash,
  findNewReplicaSet,
  hasProgressDeadline,
  maxSurge,
  newReplicaSetFor,
  newRSNewReplicas,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  revisionOf,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specOf,
  specReplicas,
  templateHash,
} from './deployment-util.js';
import type { DeploymentSyncDeps } from './deployment-sync-deps.js';

/** One reconcile of one Deployment: `d` is a private copy whose status is kept current. */
export interface SyncCtx {
  w: DeploymentSyncDeps;
  d: Deployment;
  key: string;
}

const gone = (e: unknown) => e instanceof StatusError && e.code === 404;

/** Owned and matching are kept, owned but not matching released, matching orphans adopted. */
export async function claimReplicaSets(c: SyncCtx): Promise<ReplicaSet[]> {
  const { w, d } = c;
  const ns = d.metadata.namespace ?? '';
  const sel = selectorMatcher(d.spec?.selector);
  const deleting = !!d.metadata.deletionTimestamp;
  const out: ReplicaSet[] = [];
  for (const rs of w.replicaSetsControlledBy(d.metadata.uid ?? '')) {
    if (sel.matches(rs.metadata.labels)) out.push(rs);
    else if (!deleting) {
      try {
        await w.api.patchReplicaSet(ns, rs.metadata.name ?? '', releasePatch(rs, d.metadata.uid ?? ''));
      } catch (e) {
        if (!gone(e)) throw e;
      }
    }
  }
  if (deleting) return out;
  const adopt = w
    .orphanReplicaSetsIn(ns)
    .filter((rs) => !rs.metadata.deletionTimestamp && !controllerRefOf(rs) && sel.matches(rs.metadata.labels));
  if (adopt.length) {
    const live = await w.api.getDeployment(ns, d.metadata.name ?? '');
    if (live && live.metadata.uid === d.metadata.uid && !live.metadata.deletionTimestamp) {
      const ref = newControllerRef(d, 'apps/v1', 'Deployment');
      for (const rs of adopt) {
        try {
          out.push(await w.api.patchReplicaSet(ns, rs.metadata.name ?? '', adoptPatch(rs, ref)));
        } catch (e) {
          if (!gone(e)) throw e;
        }
      }
    }
  }
  return out;
}

export async function writeStatus(c: SyncCtx): Promise<void> {
  const updated = await c.w.api.updateDeploymentStatus(c.d, c.d.status ?? {});
  c.d.status = updated.status ?? c.d.status;
}

/** Puts the new ReplicaSet's revision on the Deployment too. */
async function syncDeploymentRevision(c: SyncCtx, revision: string): Promise<void> {
  if (c.d.metadata.annotations?.[ANNOTATION_DEPLOYMENT_REVISION] === revision) return;
  const updated = await c.w.api.patchDeploymentAnnotations(c.d, { [ANNOTATION_DEPLOYMENT_REVISION]: revision });
  c.d.metadata.annotations = {
    ...(c.d.metadata.annotations ?? {}),
    ...(updated.metadata.annotations ?? {}),
    [ANNOTATION_DEPLOYMENT_REVISION]: revision,
  };
}

/**
 * The new ReplicaSet (template equal to the Deployment's) and the old ones. An existing new
 * ReplicaSet (also one reused by a rollback) gets the next revision; with `create`, a missing one
 * is created at the size the strategy allows.
 */
export async function getAllReplicaSetsAndSyncRevision(
  c: SyncCtx,
  rsList: ReplicaSet[],
  create: boolean,
): Promise<{ newRS?: ReplicaSet; oldRSs: ReplicaSet[] }> {
  const { w, d } = c;
  const found = findNewReplicaSet(d, rsList);
  const oldRSs = rsList.filter((rs) => rs !== found);
  const newRevision = Math.max(0, ...oldRSs.map(revisionOf)) + 1;
  const now = w.now();
  if (found) {
    let newRS = found;
    const copy = structuredClone(found);
    const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    const minReadyChanged = (found.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
    if (annotationsChanged || minReadyChanged) {
      specOf(copy).minReadySeconds = d.spec?.minReadySeconds ?? 0;
      newRS = await w.api.updateReplicaSet(copy);
    }
    await syncDeploymentRevision(c, newRS.metadata.annotations?.[ANNOTATION_DEPLOYMENT_REVISION] ?? String(newRevision));
    if (hasProgressDeadline(d) && !getCondition(d.status, PROGRESSING)) {
      const st = (d.status ??= {});
      setCondition(st, newCondition(PROGRESSING, 'True', REASONS.foundNewRS, `Found new replica set "${newRS.metadata.name ?? ''}"`, now));
      await writeStatus(c);
    }
    return { newRS, oldRSs };
  }
  if (!create) return { oldRSs };

  const collisionCount = d.status?.collisionCount;
  const hash = templateHash(d.spec?.template, collisionCount);
  const fresh = newReplicaSetFor(d, hash);
  fresh.spec.replicas = newRSNewReplicas(d, [...oldRSs, fresh], fresh);
  setNewReplicaSetAnnotations(d, fresh, newRevision, false);
  const ns = d.metadata.namespace ?? '';
  let createdRS: ReplicaSet;
  let existed = false;
  try {
    createdRS = await w.api.createReplicaSet(ns, fresh);
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 409 && e.reason === 'AlreadyExists')) {
      if (hasProgressDeadline(d)) {
        setCondition(
          (d.status ??= {}),
          newCondition(
            PROGRESSING,
            'False',
            REASONS.failedRSCreate,
            `Failed to create new replica set "${fresh.metadata.name ?? ''}": ${errorText(e)}`,
            now,
          ),
        );
        await writeStatus(c);
      }
      throw e;
    }
    const live = await w.api.getReplicaSet(ns, fresh.metadata.name ?? '');
    if (live && controllerRefOf(live)?.uid === d.metadata.uid && equalIgnoreHash(live.spec?.template, d.spec?.template)) {
      createdRS = live;
      existed = true;
    } else {
      // a different object holds the name: move to another hash and retry
      (d.status ??= {}).collisionCount = (collisionCount ?? 0) + 1;
      await writeStatus(c);
      throw new StatusError(
        409,
        'AlreadyExists',
        `hash collision for replica set ${fresh.metadata.name ?? ''}; collisionCount is now ${d.status.collisionCount}`,
      );
    }
  }
  const n = specReplicas(createdRS);
  if (!existed && n > 0)
    w.event?.(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${createdRS.metadata.name ?? ''} to ${n} from 0`);
  await syncDeploymentRevision(c, createdRS.metadata.annotations?.[ANNOTATION_DEPLOYMENT_REVISION] ?? String(newRevision));
  if (!existed && hasProgressDeadline(d)) {
    setCondition(
      (d.status ??= {}),
      newCondition(PROGRESSING, 'True', REASONS.newRSCreated, `Created new replica set "${createdRS.metadata.name ?? ''}"`, now),
    );
    await writeStatus(c);
  }
  return { newRS: createdRS, oldRSs };
}

/** Sets a ReplicaSet's size (and replicas annotations); records ScalingReplicaSet when the size changed. */
export async function scaleReplicaSet(c: SyncCtx, rs: ReplicaSet, newScale: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  const { d } = c;
  const desired = replicasOf(d);
  const max = desired + maxSurge(d);
  const oldScale = specReplicas(rs);
  const sizeChanged = oldScale !== newScale;
  if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
  const copy = structuredClone(rs);
  specOf(copy).replicas = newScale;
  setReplicasAnnotations(copy, desired, max);
  const updated = await c.w.api.updateReplicaSet(copy);
  if (sizeChanged) {
    const op = oldScale < newScale ? 'up' : 'down';
    c.w.event?.(d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata.name ?? ''} to ${newScale} from ${oldScale}`);
  }
  return { scaled: sizeChanged, rs: updated };
}

/** Scales only when the size differs. */
export async function scaleIfNeeded(c: SyncCtx, rs: ReplicaSet, newScale: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  if (specReplicas(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(c, rs, newScale);
}

/** Deletes the oldest fully scaled-down old ReplicaSets beyond revisionHistoryLimit. */
export async function cleanupHistory(c: SyncCtx, oldRSs: readonly ReplicaSet[]): Promise<void> {
  const limit = c.d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
  const diff = cleanable.length - limit;
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i] as ReplicaSet;
    if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0) continue;
    if ((rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    try {
      await c.w.api.deleteReplicaSet(rs.metadata.namespace ?? '', rs.metadata.name ?? '', rs.metadata.uid ?? '');
    } catch (e) {
      if (!gone(e)) throw e;
    }
  }
}
