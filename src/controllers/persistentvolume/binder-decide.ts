// The PV binder's pure decisions: which volume a claim binds to (upstream's findBestMatchForClaim:
// a volume pre-bound to the claim first, else the smallest Available one of the claim's class whose
// access modes, volume mode, size, labels and node affinity fit), and what phase a volume is in.

import type { Node, PersistentVolume, PersistentVolumeClaim } from '../../api/gen/types.js';
import { selectorMatches } from '../../api/label-selector.js';
import { compileTerm, termMatches } from '../../api/scheduling/node-affinity.js';
import { claimClass, volumeClass } from '../../api/storage/claims.js';
import { quantityOrNaN } from '../../api/validation/index.js';

const size = (q: string | number | undefined) => (q === undefined ? Number.NaN : quantityOrNaN(q));

/** True when the volume's required node affinity admits the node (no affinity admits every node). */
export function volumeFitsNode(pv: PersistentVolume, node: Pick<Node, 'metadata'>): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  const labels = node.metadata.labels ?? {};
  return terms.map(compileTerm).some((t) => termMatches(t, labels, node.metadata.name ?? ''));
}

/** The volume's claimRef names this claim (by uid when the ref carries one). */
export function refersTo(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref || ref.name !== pvc.metadata.name || (ref.namespace ?? '') !== (pvc.metadata.namespace ?? '')) return false;
  return !ref.uid || ref.uid === pvc.metadata.uid;
}

/** Whether `pv` could serve `pvc` (ignoring who it is bound to). */
export function volumeSatisfies(pv: PersistentVolume, pvc: PersistentVolumeClaim, node?: Pick<Node, 'metadata'>): boolean {
  if (pv.metadata.deletionTimestamp) return false;
  if (volumeClass(pv) !== claimClass(pvc)) return false;
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (pvc.spec?.volumeMode ?? 'Filesystem')) return false;
  const has = new Set(pv.spec?.accessModes ?? []);
  if (!(pvc.spec?.accessModes ?? []).every((m) => has.has(m))) return false;
  const want = size(pvc.spec?.resources?.requests?.['storage']);
  if (!(size(pv.spec?.capacity?.['storage']) >= want)) return false;
  if (pvc.spec?.selector && !selectorMatches(pvc.spec.selector, pv.metadata.labels ?? {})) return false;
  if (node && !volumeFitsNode(pv, node)) return false;
  return true;
}

/**
 * The volume to bind `pvc` to: one pre-bound to it (claimRef) that fits, else the smallest free
 * one (no claimRef, Available) that fits; `node` (a WaitForFirstConsumer claim's selected node)
 * also requires the volume's node affinity to admit it.
 */
export function findMatch(pvc: PersistentVolumeClaim, volumes: readonly PersistentVolume[], node?: Pick<Node, 'metadata'>): PersistentVolume | undefined {
  const prebound = volumes.find((pv) => refersTo(pv, pvc) && volumeSatisfies(pv, pvc, node));
  if (prebound) return prebound;
  let best: PersistentVolume | undefined;
  for (const pv of volumes) {
    if (pv.spec?.claimRef) continue;
    const phase = pv.status?.phase ?? 'Pending';
    if (phase !== 'Available' && phase !== 'Pending') continue;
    if (!volumeSatisfies(pv, pvc, node)) continue;
    if (!best || size(pv.spec?.capacity?.['storage']) < size(best.spec?.capacity?.['storage'])) best = pv;
  }
  return best;
}

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
export function claimInUse(
  pvc: PersistentVolumeClaim,
  pods: ReadonlyArray<{ spec?: { volumes?: Array<{ persistentVolumeClaim?: { claimName: string }; ephemeral?: unknown; name: string }> }; status?: { phase?: string }; metadata: { name?: string } }>,
): boolean {
  const name = pvc.metadata.name ?? '';
  return pods.some((p) => {
    const phase = p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return false;
    return (p.spec?.volumes ?? []).some(
      (v) => v.persistentVolumeClaim?.claimName === name || (v.ephemeral !== undefined && `${p.metadata.name ?? ''}-${v.name}` === name),
    );
  });
}
