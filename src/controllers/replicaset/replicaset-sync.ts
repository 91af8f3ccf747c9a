// One reconcile of one ReplicaSet, against an injected world (replicaset-sync-deps.ts: caches, API
// calls, clock) so that it can be driven by fakes in tests: claim pods (adopt matching orphans,
// release owned pods that no longer match; replicaset-decide.ts), create or delete pods to reach
// spec.replicas (guarded by expectations, slow-start batches, at most BURST per round), then write
// the status.

import type { Pod, ReplicaSet } from '../../api/gen/types.js';
import { StatusError } from '../../base/errors.js';
import { splitObjectKey, objectKey } from '../../client/object-key.js';
import { errorText } from '../shared/error-text.js';
import { adoptPatch, newControllerRef, releasePatch } from '../shared/owner-refs.js';
import { isPodActive } from '../shared/pod-status.js';
import { slowStartBatch } from '../shared/slow-start.js';
import { podsToDelete } from './pod-ranking.js';
import { REPLICA_SET_OWNER } from './replica-kind.js';
import { claimPods, podFromTemplate, type ClaimDecision } from './replicaset-decide.js';
import type { ReplicaSetSyncDeps } from './replicaset-sync-deps.js';
import { calculateReplicaSetStatus, sameReplicaSetStatus, type ManageFailure } from './replicaset-status.js';

/** Upstream's limit of creations or deletions in one round. */
export const BURST_REPLICAS = 500;

const gone = (e: unknown) => e instanceof StatusError && e.code === 404;

/** Create or delete pods so that `active` reaches spec.replicas; answers the failure, if any. */
async function manageReplicas(
  w: ReplicaSetSyncDeps,
  rs: ReplicaSet,
  key: string,
  active: readonly Pod[],
): Promise<ManageFailure | undefined> {
  const want = rs.spec?.replicas ?? 1;
  const diff = active.length - want;
  const ns = rs.metadata.namespace ?? '';
  const inFlight = w.inFlight ?? 64;
  if (diff < 0) {
    const n = Math.min(-diff, BURST_REPLICAS);
    w.expectations.expect(key, n);
    const template = podFromTemplate(rs, w.owner);
    const errors: unknown[] = [];
    const res = await slowStartBatch(
      n,
      async () => {
        try {
          const pod = await w.api.createPod(ns, structuredClone(template));
          w.event?.(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name ?? ''}`);
        } catch (e) {
          w.expectations.creationObserved(key); // it will never show up
          // a namespace being terminated refuses new pods; that is not worth a retry storm
          if (e instanceof StatusError && e.code === 403 && /terminat/i.test(e.message)) return;
          errors.push(e);
          w.event?.(rs, 'Warning', 'FailedCreate', `Error creating: ${errorText(e)}`);
          throw e;
        }
      },
      { inFlight },
    );
    for (let i = 0; i < res.skipped; i++) w.expectations.creationObserved(key);
    if (errors.length) return { reason: 'FailedCreate', message: errorText(errors[0]) };
    return undefined;
  }
  if (diff > 0) {
    const victims = podsToDelete(active, Math.min(diff, BURST_REPLICAS), active);
    w.expectations.expect(
      key,
      0,
      victims.map((p) => objectKey(p)),
    );
    const errors: unknown[] = [];
    let next = 0;
    const lane = async () => {
      while (next < victims.length) {
        const p = victims[next++] as Pod;
        try {
          await w.api.deletePod(ns, p.metadata.name ?? '', p.metadata.uid ?? '');
          w.event?.(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name ?? ''}`);
        } catch (e) {
          w.expectations.deletionObserved(key, objectKey(p));
          if (gone(e)) continue;
          errors.push(e);
          w.event?.(rs, 'Warning', 'FailedDelete', `Error deleting: ${errorText(e)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, victims.length) }, lane));
    if (errors.length) return { reason: 'FailedDelete', message: errorText(errors[0]) };
  }
  return undefined;
}

/** Adopts and releases as decided; answers the pods the ReplicaSet now owns. */
async function applyClaims(w: ReplicaSetSyncDeps, rs: ReplicaSet, d: ClaimDecision): Promise<Pod[]> {
  const ns = rs.metadata.namespace ?? '';
  const claimed = [...d.claimed];
  if (d.adopt.length) {
    // adopt only for the object we think we are: a re-created ReplicaSet of the same name must not
    const live = await w.api.getReplicaSet(ns, rs.metadata.name ?? '');
    if (live && live.metadata.uid === rs.metadata.uid && !live.metadata.deletionTimestamp) {
      const owner = w.owner ?? REPLICA_SET_OWNER;
      const ref = newControllerRef(rs, owner.ownerApiVersion, owner.ownerKind);
      for (const p of d.adopt) {
        try {
          claimed.push(await w.api.patchPod(ns, p.metadata.name ?? '', adoptPatch(p, ref)));
        } catch (e) {
          if (!gone(e)) throw e;
        }
      }
    }
  }
  for (const p of d.release) {
    try {
      await w.api.patchPod(ns, p.metadata.name ?? '', releasePatch(p, rs.metadata.uid ?? ''));
    } catch (e) {
      if (!gone(e)) throw e;
    }
  }
  return claimed;
}

export async function syncReplicaSet(w: ReplicaSetSyncDeps, key: string): Promise<void> {
  const rs = w.getReplicaSet(key);
  if (!rs) {
    w.expectations.delete(key);
    return;
  }
  const needsManage = w.expectations.satisfied(key) && !rs.metadata.deletionTimestamp;
  const { namespace } = splitObjectKey(key);
  const decision = claimPods(rs, w.podsControlledBy(rs.metadata.uid ?? ''), w.orphanPodsIn(namespace));
  const claimed = await applyClaims(w, rs, decision);
  const active = claimed.filter(isPodActive);
  let failure: ManageFailure | undefined;
  if (needsManage) failure = await manageReplicas(w, rs, key, active);
  const { status, nextCheckMs } = calculateReplicaSetStatus(rs, active, failure, w.now());
  if (!sameReplicaSetStatus(rs.status, status)) await w.api.updateStatus(rs, status);
  if (nextCheckMs !== undefined) w.requeueAfter(key, nextCheckMs + 50);
  if (failure) throw new StatusError(500, 'InternalError', `${failure.reason}: ${failure.message}`);
}
