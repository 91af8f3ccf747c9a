// One volume's reconcile: its phase against its claim (Available, Bound, Released), its reclaim once
// the claim is gone (Retain keeps it Released; Delete of a provisioned volume is left to its
// provisioner, which deletes the volume; Delete or Recycle of a hand-made volume fails, as upstream
// has no plugin to delete or recycle such storage here), and kubernetes.io/pv-protection: a deleted
// volume keeps the finalizer while it is still Bound.

import type { PersistentVolume } from '../../api/gen/types.js';
import { ANN_PROVISIONED_BY, FINALIZER_PV_PROTECTION } from '../../api/storage/well-known.js';
import { rfc3339 } from '../../base/time.js';
import { volumeVerdict } from './binder-decide.js';
import type { PvWorld } from './pv-world.js';

async function setPhase(w: PvWorld, pv: PersistentVolume, phase: string, message?: string): Promise<void> {
  if (pv.status?.phase === phase && (message === undefined || pv.status.message === message)) return;
  await w.patchVolumeStatus(pv.metadata.name ?? '', {
    status: {
      phase,
      lastPhaseTransitionTime: rfc3339(w.now()),
      message: message ?? null,
      reason: phase === 'Failed' ? 'VolumeFailedDelete' : null,
    },
  });
}

async function unprotect(w: PvWorld, pv: PersistentVolume): Promise<boolean> {
  const fins = pv.metadata.finalizers ?? [];
  if (!pv.metadata.deletionTimestamp || !fins.includes(FINALIZER_PV_PROTECTION)) return false;
  if (pv.status?.phase === 'Bound') return false;
  await w.patchVolume(pv.metadata.name ?? '', {
    metadata: { finalizers: fins.filter((f) => f !== FINALIZER_PV_PROTECTION), resourceVersion: pv.metadata.resourceVersion },
  });
  return true;
}

export async function syncVolume(w: PvWorld, name: string): Promise<void> {
  const pv = w.volume(name);
  if (!pv) return;
  const ref = pv.spec?.claimRef;
  const cached = ref ? w.claim(ref.namespace ?? '', ref.name ?? '') : undefined;
  let verdict = volumeVerdict(pv, cached);
  // the cache may be behind a claim just created: read it before calling the volume released
  if (verdict.kind === 'released' && ref) verdict = volumeVerdict(pv, await w.liveClaim(ref.namespace ?? '', ref.name ?? ''));
  switch (verdict.kind) {
    case 'available':
      await setPhase(w, pv, 'Available');
      break;
    case 'bound':
      await setPhase(w, pv, 'Bound');
      break;
    case 'binding':
      break;
    case 'released':
      await reclaim(w, pv);
      break;
  }
  await unprotect(w, w.volume(name) ?? pv);
}

async function reclaim(w: PvWorld, pv: PersistentVolume): Promise<void> {
  const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
  if (pv.status?.phase === 'Failed') return;
  if (pv.status?.phase !== 'Released') {
    await setPhase(w, pv, 'Released');
    w.event(pv, 'Normal', 'VolumeReleased', `claim ${pv.spec?.claimRef?.namespace ?? ''}/${pv.spec?.claimRef?.name ?? ''} is gone`);
  }
  if (policy === 'Retain') return;
  const provisioner = pv.metadata.annotations?.[ANN_PROVISIONED_BY];
  if (policy === 'Delete' && provisioner) return; // the provisioner that made it deletes it
  const message =
    policy === 'Delete'
      ? `error getting deleter volume plugin for volume "${pv.metadata.name ?? ''}": no deletable volume plugin matched`
      : `no volume plugin matched name: recycler for volume "${pv.metadata.name ?? ''}"`;
  await w.patchVolumeStatus(pv.metadata.name ?? '', { status: { phase: 'Failed', message, lastPhaseTransitionTime: rfc3339(w.now()) } });
  w.event(pv, 'Warning', policy === 'Delete' ? 'VolumeFailedDelete' : 'VolumeFailedRecycle', message);
}
