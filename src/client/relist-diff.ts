// What changed between the cache and a fresh LIST: the synthetic events an informer emits after a
// relist so that nothing that happened while its watch was down is missed.

import type { KubeObject } from '../api/object.js';

export type CacheChange<T extends KubeObject = KubeObject> =
  { type: 'add'; key: string; obj: T } | { type: 'update'; key: string; old: T; obj: T } | { type: 'delete'; key: string; obj: T };

/**
 * Compares the cached objects with a listed snapshot (both keyed the same way). An object whose uid
 * changed was deleted and re-created: it is reported as a delete of the old one and an add of the new.
 * Unchanged objects (same uid and resourceVersion) yield nothing.
 */
export function diffSnapshot<T extends KubeObject>(cached: ReadonlyMap<string, T>, listed: ReadonlyMap<string, T>): CacheChange<T>[] {
  const out: CacheChange<T>[] = [];
  for (const [key, old] of cached) {
    const now = listed.get(key);
    if (!now) out.push({ type: 'delete', key, obj: old });
    else if (old.metadata.uid !== now.metadata.uid) {
      out.push({ type: 'delete', key, obj: old });
      out.push({ type: 'add', key, obj: now });
    } else if (old.metadata.resourceVersion !== now.metadata.resourceVersion) out.push({ type: 'update', key, old, obj: now });
  }
  for (const [key, obj] of listed) if (!cached.has(key)) out.push({ type: 'add', key, obj });
  return out;
}

/**
 * True when `incoming` is older than `cached` by resourceVersion. Resource versions are opaque to
 * clients in general; this server uses integers, so a stale replayed event can be recognised.
 * Non-numeric versions are never considered stale.
 */
export function isStale(cached: KubeObject | undefined, incoming: KubeObject): boolean {
  if (!cached || cached.metadata.uid !== incoming.metadata.uid) return false;
  const a = Number(cached.metadata.resourceVersion);
  const b = Number(incoming.metadata.resourceVersion);
  return Number.isInteger(a) && Number.isInteger(b) && b < a;
}
