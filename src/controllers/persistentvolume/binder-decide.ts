// The PV binder's pure decisions beyond matching (src/api/storage/matching.ts): where a volume
// stands against its claim, and whether pods still use a claim.

import type { PersistentVolume, PersistentVolumeClaim, Pod } from '../../api/gen/types.js';
import { podClaimNames } from '../../api/storage/claims.js';

export type VolumeVerdict =
  | { kind: 'available' }
  | { kind: 'bound' }
  /** bound to a claim that still has to finish binding (its volumeName not yet written) */
  | { kind: 'binding' }
  | { kind: 'released' };

/** Where a volume stands against its claim as the cache shows it (`claim` undefined: not found). */
export function volumeVerdict(pv: PersistentVolume, claim: PersistentVolumeClaim | undefined): VolumeVerdict {
  const ref = pv.spec?.claimRef;
  if (!ref) return { kind: 'available' };
  // a ref without uid is a user's pre-binding: the volume waits, Available, for that claim
  if (!ref.uid) return claim && claim.spec?.volumeName === pv.metadata.name ? { kind: 'binding' } : { kind: 'available' };
  if (!claim || claim.metadata.uid !== ref.uid) return { kind: 'released' };
  return claim.spec?.volumeName === pv.metadata.name ? { kind: 'bound' } : { kind: 'binding' };
}

/** Pods that still use a claim (not finished), for pvc-protection. */
export function claimInUse(pvc: PersistentVolumeClaim, pods: readonly Pod[]): boolean {
  const name = pvc.metadata.name ?? '';
  return pods.some((p) => {
    const phase = p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return false;
    return podClaimNames(p).includes(name);
  });
}
