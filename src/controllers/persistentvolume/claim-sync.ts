// One claim's reconcile: protection (a deleted claim keeps kubernetes.io/pvc-protection while a pod
// uses it), then binding (to the volume it names, to a matching volume, or, for a class with a
// provisioner, by asking that provisioner), then status (Pending, Bound, Lost), as upstream's
// syncUnboundClaim / syncBoundClaim do. Binding writes the volume first (its claimRef), then the
// claim, so a crash in between leaves a volume pre-bound to the claim that the next sync finishes.

import type { PersistentVolume, PersistentVolumeClaim } from '../../api/gen/types.js';
import { claimClass } from '../../api/storage/claims.js';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  FINALIZER_PVC_PROTECTION,
} from '../../api/storage/well-known.js';
import { rfc3339 } from '../../base/time.js';
import { findMatch, refersTo, volumeSatisfies } from '../../api/storage/matching.js';
import { claimInUse } from './binder-decide.js';
import type { PvWorld } from './pv-world.js';

/** Classes whose claims only ever bind to volumes made by hand. */
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

const nsName = (c: PersistentVolumeClaim) => [c.metadata.namespace ?? '', c.metadata.name ?? ''] as const;

async function setClaimPhase(w: PvWorld, pvc: PersistentVolumeClaim, phase: string, pv?: PersistentVolume): Promise<void> {
  const st = pvc.status ?? {};
  const status: Record<string, unknown> = { phase };
  if (pv) {
    status['capacity'] = pv.spec?.capacity;
    status['accessModes'] = pv.spec?.accessModes;
  }
  const same =
    st.phase === phase &&
    (!pv ||
      (JSON.stringify(st.capacity) === JSON.stringify(pv.spec?.capacity) &&
        JSON.stringify(st.accessModes) === JSON.stringify(pv.spec?.accessModes)));
  if (same) return;
  await w.patchClaimStatus(...nsName(pvc), { status });
}

/** Writes the claimRef into the volume (and Bound into its status) unless it is already there. */
async function bindVolume(w: PvWorld, pv: PersistentVolume, pvc: PersistentVolumeClaim): Promise<PersistentVolume> {
  let out = pv;
  const ref = pv.spec?.claimRef;
  if (!ref || ref.uid !== pvc.metadata.uid) {
    const byController = !ref ? { [ANN_BOUND_BY_CONTROLLER]: 'yes' } : {};
    out = await w.patchVolume(pv.metadata.name ?? '', {
      metadata: { annotations: byController, resourceVersion: pv.metadata.resourceVersion },
      spec: {
        claimRef: {
          kind: 'PersistentVolumeClaim',
          apiVersion: 'v1',
          namespace: pvc.metadata.namespace,
          name: pvc.metadata.name,
          uid: pvc.metadata.uid,
          resourceVersion: pvc.metadata.resourceVersion,
        },
      },
    });
  }
  if (out.status?.phase !== 'Bound')
    out = await w.patchVolumeStatus(pv.metadata.name ?? '', { status: { phase: 'Bound', lastPhaseTransitionTime: rfc3339(w.now()) } });
  return out;
}

/** Writes volumeName and the binder's annotations into the claim, then Bound into its status. */
async function bindClaim(w: PvWorld, pvc: PersistentVolumeClaim, pv: PersistentVolume): Promise<void> {
  const ann = pvc.metadata.annotations ?? {};
  const patchAnn: Record<string, string> = {};
  if (ann[ANN_BIND_COMPLETED] !== 'yes') patchAnn[ANN_BIND_COMPLETED] = 'yes';
  if (!pvc.spec?.volumeName) patchAnn[ANN_BOUND_BY_CONTROLLER] = 'yes';
  let claim = pvc;
  if (!pvc.spec?.volumeName || Object.keys(patchAnn).length > 0) {
    claim = await w.patchClaim(...nsName(pvc), {
      metadata: { annotations: patchAnn, resourceVersion: pvc.metadata.resourceVersion },
      spec: { volumeName: pv.metadata.name },
    });
  }
  await setClaimPhase(w, claim, 'Bound', pv);
}

async function protect(w: PvWorld, pvc: PersistentVolumeClaim): Promise<boolean> {
  const fins = pvc.metadata.finalizers ?? [];
  if (!pvc.metadata.deletionTimestamp || !fins.includes(FINALIZER_PVC_PROTECTION)) return false;
  if (claimInUse(pvc, w.podsIn(pvc.metadata.namespace ?? ''))) return true;
  await w.patchClaim(...nsName(pvc), {
    metadata: { finalizers: fins.filter((f) => f !== FINALIZER_PVC_PROTECTION), resourceVersion: pvc.metadata.resourceVersion },
  });
  return true;
}

/** A claim without a volume: bind it to one, or ask its class's provisioner for one. */
async function syncUnbound(w: PvWorld, pvc: PersistentVolumeClaim): Promise<void> {
  const className = claimClass(pvc);
  const sc = className ? w.storageClass(className) : undefined;
  const delayed = sc?.volumeBindingMode === 'WaitForFirstConsumer';
  const selected = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
  if (delayed && !selected) {
    await setClaimPhase(w, pvc, 'Pending');
    w.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    return;
  }
  const node = selected ? w.node(selected) : undefined;
  const match = findMatch(pvc, w.volumes(), delayed ? (node ?? { metadata: { name: selected } }) : undefined);
  if (match) {
    const pv = await bindVolume(w, match, pvc);
    await bindClaim(w, pvc, pv);
    return;
  }
  await setClaimPhase(w, pvc, 'Pending');
  if (sc && sc.provisioner !== NO_PROVISIONER) {
    const ann = pvc.metadata.annotations ?? {};
    if (ann[ANN_STORAGE_PROVISIONER] !== sc.provisioner) {
      await w.patchClaim(...nsName(pvc), {
        metadata: { annotations: { [ANN_STORAGE_PROVISIONER]: sc.provisioner, [ANN_BETA_STORAGE_PROVISIONER]: sc.provisioner } },
      });
    }
    w.event(
      pvc,
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
    return;
  }
  if (className && !sc) w.event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
  else w.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
}

/** A claim that names its volume (bound, or pre-bound by its author). */
async function syncNamed(w: PvWorld, pvc: PersistentVolumeClaim, volumeName: string): Promise<void> {
  const completed = pvc.metadata.annotations?.[ANN_BIND_COMPLETED] === 'yes';
  const pv = w.volume(volumeName);
  if (!pv) {
    if (completed) {
      if (pvc.status?.phase !== 'Lost')
        w.event(pvc, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
      await setClaimPhase(w, pvc, 'Lost');
    } else await setClaimPhase(w, pvc, 'Pending');
    return;
  }
  const ref = pv.spec?.claimRef;
  if (!ref || refersTo(pv, pvc)) {
    if (!ref && !volumeSatisfies(pv, pvc)) {
      await setClaimPhase(w, pvc, 'Pending');
      w.event(pvc, 'Warning', 'VolumeMismatch', 'Cannot bind to requested volume: the volume does not satisfy the claim');
      return;
    }
    const bound = await bindVolume(w, pv, pvc);
    await bindClaim(w, pvc, bound);
    return;
  }
  if (completed) {
    if (pvc.status?.phase !== 'Lost')
      w.event(pvc, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
    await setClaimPhase(w, pvc, 'Lost');
  } else {
    await setClaimPhase(w, pvc, 'Pending');
    w.event(pvc, 'Warning', 'FailedBinding', `volume "${volumeName}" already bound to a different claim.`);
  }
}

export async function syncClaim(w: PvWorld, namespace: string, name: string): Promise<void> {
  const pvc = w.claim(namespace, name);
  if (!pvc) return;
  if (await protect(w, pvc)) return;
  const volumeName = pvc.spec?.volumeName;
  if (volumeName) await syncNamed(w, pvc, volumeName);
  else await syncUnbound(w, pvc);
}
