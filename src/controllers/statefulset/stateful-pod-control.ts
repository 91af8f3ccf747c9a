// The writes a StatefulSet makes for one pod, each with upstream's event: its claims before the pod
// ("create Claim www-web-0 Pod web-0 in StatefulSet web success"), the pod itself ("create Pod web-0
// in StatefulSet web successful"), its deletion, and the owner reference that lets the garbage
// collector take a scaled-down pod's claims when whenScaled is Delete, and the repair of a member's
// identity labels.

import type { Pod, StatefulSet } from '../../api/gen/types.js';
import { StatusError } from '../../base/errors.js';
import { errorText } from '../shared/error-text.js';
import { newControllerRef } from '../shared/owner-refs.js';
import { identityLabels, ordinalOf, podClaims } from './identity.js';
import type { StatefulSetSyncDeps } from './statefulset-sync-deps.js';

const code = (e: unknown) => (e instanceof StatusError ? e.code : 0);

function podEvent(w: StatefulSetSyncDeps, set: StatefulSet, verb: 'create' | 'update' | 'delete', pod: Pod, err?: unknown): void {
  const Verb = `${verb.charAt(0).toUpperCase()}${verb.slice(1)}`;
  const what = `${verb} Pod ${pod.metadata.name ?? ''} in StatefulSet ${set.metadata.name ?? ''}`;
  if (err === undefined) w.event?.(set, 'Normal', `Successful${Verb}`, `${what} successful`);
  else w.event?.(set, 'Warning', `Failed${Verb}`, `${what} failed error: ${errorText(err)}`);
}

/** Creates the pod's missing claims; refuses to go on while one of them is being deleted. */
export async function ensureClaims(w: StatefulSetSyncDeps, set: StatefulSet, pod: Pod): Promise<void> {
  const ns = set.metadata.namespace ?? '';
  const podName = pod.metadata.name ?? '';
  for (const claim of podClaims(set, ordinalOf(set, pod))) {
    const name = claim.metadata.name ?? '';
    const fail = (e: unknown) => {
      w.event?.(
        set,
        'Warning',
        'FailedCreate',
        `create Claim ${name} for Pod ${podName} in StatefulSet ${set.metadata.name ?? ''} failed error: ${errorText(e)}`,
      );
      return e;
    };
    let have;
    try {
      have = await w.api.getClaim(ns, name);
    } catch (e) {
      throw fail(e);
    }
    if (have) {
      if (have.metadata.deletionTimestamp) throw new StatusError(409, 'Conflict', `pvc ${name} is being deleted`);
      continue;
    }
    try {
      await w.api.createClaim(ns, claim);
      w.event?.(set, 'Normal', 'SuccessfulCreate', `create Claim ${name} Pod ${podName} in StatefulSet ${set.metadata.name ?? ''} success`);
    } catch (e) {
      if (code(e) !== 409) throw fail(e);
    }
  }
}

/** Claims first, then the pod; a pod of that name already there (a lagging cache) is no error. */
export async function createStatefulPod(w: StatefulSetSyncDeps, set: StatefulSet, pod: Pod): Promise<void> {
  await ensureClaims(w, set, pod);
  try {
    await w.api.createPod(set.metadata.namespace ?? '', pod);
    podEvent(w, set, 'create', pod);
  } catch (e) {
    if (code(e) === 409) return;
    podEvent(w, set, 'create', pod, e);
    throw e;
  }
}

export async function deleteStatefulPod(w: StatefulSetSyncDeps, set: StatefulSet, pod: Pod): Promise<void> {
  try {
    await w.api.deletePod(set.metadata.namespace ?? '', pod.metadata.name ?? '', pod.metadata.uid ?? '');
    podEvent(w, set, 'delete', pod);
  } catch (e) {
    if (code(e) === 404) return;
    podEvent(w, set, 'delete', pod, e);
    throw e;
  }
}

/** whenScaled: Delete: the condemned pod becomes an owner of its claims, so they go with it. */
export async function releaseClaimsWithPod(w: StatefulSetSyncDeps, set: StatefulSet, pod: Pod): Promise<void> {
  if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled !== 'Delete') return;
  const ns = set.metadata.namespace ?? '';
  const ref = { ...newControllerRef(pod, 'v1', 'Pod'), controller: false };
  for (const claim of podClaims(set, ordinalOf(set, pod))) {
    const have = await w.api.getClaim(ns, claim.metadata.name ?? '');
    if (!have || have.metadata.ownerReferences?.some((r) => r.uid === ref.uid)) continue;
    const refs = [...(have.metadata.ownerReferences ?? []), ref];
    await w.api.patchClaim(ns, claim.metadata.name ?? '', {
      metadata: { ownerReferences: refs, resourceVersion: have.metadata.resourceVersion },
    });
  }
}

/** Puts back the identity labels of a member pod that lost them (or was adopted without them). */
export async function repairIdentity(w: StatefulSetSyncDeps, set: StatefulSet, pod: Pod): Promise<void> {
  const labels = identityLabels(set, pod);
  try {
    await w.api.patchPod(set.metadata.namespace ?? '', pod.metadata.name ?? '', {
      metadata: { labels, resourceVersion: pod.metadata.resourceVersion },
    });
    podEvent(w, set, 'update', pod);
  } catch (e) {
    if (code(e) === 404) return;
    podEvent(w, set, 'update', pod, e);
    throw e;
  }
}
