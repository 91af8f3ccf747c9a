// The garbage collector's decisions as pure functions: given an object and what is known about its
// owners (or an owner and its dependents), what to delete and what to patch.

import type { KubeObject, OwnerReference } from '../../api/object.js';
import { FINALIZER_FOREGROUND_DELETION, FINALIZER_ORPHAN_DEPENDENTS } from '../../api/well-known.js';

/**
 * What is known about one owner of a dependent:
 * - `solid`: exists (same uid) and is not waiting for its dependents
 * - `waiting`: exists, being deleted in the foreground (deletionTimestamp and the foregroundDeletion finalizer)
 * - `absent`: confirmed gone (not found, or found with another uid)
 * - `unknown`: cannot be decided (unserved kind, lookup failed): never act on it
 */
export type OwnerState = 'solid' | 'waiting' | 'absent' | 'unknown';

export type DependentAction =
  | { type: 'none' }
  | { type: 'delete'; policy: 'Background' | 'Foreground' }
  /** Drop these owner references (dangling, or owners waiting on us while another owner keeps us). */
  | { type: 'removeRefs'; uids: string[] };

export const isDeleting = (o: KubeObject) => o.metadata.deletionTimestamp !== undefined;
export const hasFinalizer = (o: KubeObject, f: string) => (o.metadata.finalizers ?? []).includes(f);

/** The state of an owner from the object found under its name (undefined: not found). */
export function ownerStateOf(ref: OwnerReference, found: KubeObject | undefined): OwnerState {
  if (!found || found.metadata.uid !== ref.uid) return 'absent';
  return isDeleting(found) && hasFinalizer(found, FINALIZER_FOREGROUND_DELETION) ? 'waiting' : 'solid';
}

/**
 * A dependent with owner references (upstream's attemptToDelete, in brief): kept while any owner is
 * solid (dangling or waiting references to other owners are then removed); deleted when every owner
 * is absent (Background) or when some owner waits for it and none keeps it (Foreground, so its own
 * dependents go first). Objects already being deleted and undecidable owners lead to no action.
 */
export function decideDependent(obj: KubeObject, states: ReadonlyMap<string, OwnerState>): DependentAction {
  const refs = obj.metadata.ownerReferences ?? [];
  if (refs.length === 0 || isDeleting(obj)) return { type: 'none' };
  const stateOf = (r: OwnerReference): OwnerState => states.get(r.uid) ?? 'unknown';
  if (refs.some((r) => stateOf(r) === 'unknown')) return { type: 'none' };
  const solid = refs.filter((r) => stateOf(r) === 'solid');
  const others = refs.filter((r) => stateOf(r) !== 'solid');
  if (solid.length > 0) {
    return others.length > 0 ? { type: 'removeRefs', uids: others.map((r) => r.uid) } : { type: 'none' };
  }
  return { type: 'delete', policy: refs.some((r) => stateOf(r) === 'waiting') ? 'Foreground' : 'Background' };
}

export type OwnerAction =
  | { type: 'deleteDependent'; obj: KubeObject }
  | { type: 'removeRef'; obj: KubeObject; uid: string }
  /** Take the finalizer off the owner: its dependents are dealt with. */
  | { type: 'removeFinalizer'; finalizer: string };

/**
 * An owner being deleted with the `orphan` finalizer: strip its reference from every dependent, and
 * once none references it, remove the finalizer.
 */
export function decideOrphan(owner: KubeObject, dependents: readonly KubeObject[]): OwnerAction[] {
  const uid = owner.metadata.uid ?? '';
  const refs = dependents.filter((d) => (d.metadata.ownerReferences ?? []).some((r) => r.uid === uid));
  if (refs.length === 0) return [{ type: 'removeFinalizer', finalizer: FINALIZER_ORPHAN_DEPENDENTS }];
  return refs.map((obj) => ({ type: 'removeRef', obj, uid }));
}

/**
 * An owner being deleted in the foreground: delete every dependent not yet being deleted (in the
 * foreground too, so deletion recurses), except that a dependent kept by another solid owner only
 * loses its reference to this owner. Dependents being deleted still count until they are gone; when
 * none remain, the finalizer comes off.
 */
export function decideForeground(
  owner: KubeObject,
  dependents: readonly KubeObject[],
  otherOwnerSolid: (dependent: KubeObject, ref: OwnerReference) => boolean,
): OwnerAction[] {
  const uid = owner.metadata.uid ?? '';
  const mine = dependents.filter((d) => (d.metadata.ownerReferences ?? []).some((r) => r.uid === uid));
  if (mine.length === 0) return [{ type: 'removeFinalizer', finalizer: FINALIZER_FOREGROUND_DELETION }];
  const out: OwnerAction[] = [];
  for (const d of mine) {
    if (isDeleting(d)) continue;
    const kept = (d.metadata.ownerReferences ?? []).some((r) => r.uid !== uid && otherOwnerSolid(d, r));
    out.push(kept ? { type: 'removeRef', obj: d, uid } : { type: 'deleteDependent', obj: d });
  }
  return out;
}

/** The merge patch that sets metadata.finalizers without `finalizer` (guarded by resourceVersion). */
export function finalizerRemovalPatch(obj: KubeObject, finalizer: string): Record<string, unknown> {
  const rest = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  return { metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers: rest } };
}

/** The merge patch that drops the owner references with these uids (guarded by resourceVersion). */
export function refRemovalPatch(obj: KubeObject, uids: readonly string[]): Record<string, unknown> {
  const rest = (obj.metadata.ownerReferences ?? []).filter((r) => !uids.includes(r.uid));
  return { metadata: { resourceVersion: obj.metadata.resourceVersion, ownerReferences: rest.length > 0 ? rest : null } };
}
