// Controller owner references: who controls an object, building the reference a controller puts on
// what it creates, and the merge patches that adopt an orphan or release an object.

import type { KubeObject, OwnerReference } from '../../api/object.js';

/** The owner reference with `controller: true`, if any. */
export function controllerRefOf(obj: Pick<KubeObject, 'metadata'>): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/**
 * The `namespace/name` key of the `kind` controller that `ref` names (in API group `group` when
 * given), or undefined. With `cached`, only when the cache holds that controller with the
 * referenced uid: a reference to a deleted namesake does not count.
 */
export function controllerKey(
  ns: string | undefined,
  ref: OwnerReference | undefined,
  kind: string,
  opts: { group?: string; cached?: (key: string) => Pick<KubeObject, 'metadata'> | undefined } = {},
): string | undefined {
  if (!ref || ref.kind !== kind) return undefined;
  if (opts.group !== undefined && !ref.apiVersion.startsWith(`${opts.group}/`)) return undefined;
  const key = `${ns ?? ''}/${ref.name}`;
  if (opts.cached && opts.cached(key)?.metadata.uid !== ref.uid) return undefined;
  return key;
}

/** A controller reference to `owner` that blocks the owner's foreground deletion. */
export function newControllerRef(owner: Pick<KubeObject, 'metadata'>, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/**
 * A JSON merge patch that adds `ref` to `obj`'s owner references; the resourceVersion in it makes
 * the server refuse it (409) when the object changed since it was read.
 */
export function adoptPatch(obj: Pick<KubeObject, 'metadata'>, ref: OwnerReference): Record<string, unknown> {
  const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ref.uid);
  return { metadata: { ownerReferences: [...refs, ref], resourceVersion: obj.metadata.resourceVersion } };
}

/** A JSON merge patch that removes the owner reference with `ownerUid` (guarded by resourceVersion). */
export function releasePatch(obj: Pick<KubeObject, 'metadata'>, ownerUid: string): Record<string, unknown> {
  const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
  return { metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: obj.metadata.resourceVersion } };
}
