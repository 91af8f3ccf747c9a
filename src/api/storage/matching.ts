// Whether a volume can serve a claim, as every storage component must agree: the binder picks
// volumes with it, the scheduler filters nodes with it. Upstream's findBestMatchForClaim: a volume
// pre-bound to the claim first, else the smallest free one of the claim's class whose access
// modes, volume mode, size, labels and node affinity fit.

import type { Node, PersistentVolume, PersistentVolumeClaim } from '../gen/types.js';
import { selectorMatches } from '../label-selector.js';
import { compileTerm, termMatches } from '../scheduling/node-affinity.js';
import { quantityOrNaN } from '../validation/index.js';
import { claimClass, volumeClass } from './claims.js';

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
export function findMatch(
  pvc: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
  node?: Pick<Node, 'metadata'>,
): PersistentVolume | undefined {
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
