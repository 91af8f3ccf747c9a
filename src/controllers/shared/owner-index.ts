// A secondary index over an informer's cache kept by this module's own event handlers: objects by
// the uid of their controller, and objects without a controller per namespace (adoption candidates).
// It does not rely on informer indexers, so it works on a shared informer someone else created first.

import type { KubeObject } from '../../api/object.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/object-key.js';
import { controllerRefOf } from './owner-refs.js';

export interface OwnerIndex<T extends KubeObject> {
  /** Cached objects whose controller reference has this uid. */
  controlledBy(uid: string): T[];
  /** Cached objects of the namespace that have no controller. */
  orphansIn(namespace: string): T[];
}

export function createOwnerIndex<T extends KubeObject>(informer: Informer<T>): OwnerIndex<T> {
  const byOwner = new Map<string, Set<string>>();
  const orphans = new Map<string, Set<string>>();
  const slot = (o: T): [Map<string, Set<string>>, string] => {
    const ref = controllerRefOf(o);
    return ref ? [byOwner, ref.uid] : [orphans, o.metadata.namespace ?? ''];
  };
  const put = (o: T) => {
    const [m, k] = slot(o);
    let s = m.get(k);
    if (!s) m.set(k, (s = new Set()));
    s.add(objectKey(o));
  };
  const drop = (o: T) => {
    const [m, k] = slot(o);
    const s = m.get(k);
    if (!s) return;
    s.delete(objectKey(o));
    if (s.size === 0) m.delete(k);
  };
  for (const o of informer.list()) put(o);
  informer.onAdd(put);
  informer.onUpdate((old, o) => { drop(old); put(o); });
  informer.onDelete(drop);
  const read = (keys: Set<string> | undefined): T[] => {
    const out: T[] = [];
    for (const k of keys ?? []) { const o = informer.get(k); if (o) out.push(o); }
    return out;
  };
  return {
    controlledBy: (uid) => read(byOwner.get(uid)),
    orphansIn: (ns) => read(orphans.get(ns)),
  };
}
