// Objects by the uid of their controller, and objects without a controller per namespace (adoption
// candidates), as two indexes of the shared informer's cache. Controllers ask for them when they ask
// for the informer (`informers.for(podKind, { indexers: OWNER_INDEXERS })`); the factory adds them
// to a cache someone else created first. The functions are module-level constants because the
// factory accepts one function per index name: every controller must pass these same ones.

import type { KubeObject } from '../../api/object.js';
import type { Indexer } from '../../client/index-store.js';
import type { Informer } from '../../client/informer.js';
import { controllerRefOf } from './owner-refs.js';

const CONTROLLER_UID_INDEX = 'controller-uid';
const ORPHANS_BY_NAMESPACE_INDEX = 'orphans-by-namespace';

const byControllerUid: Indexer<KubeObject> = (o) => {
  const ref = controllerRefOf(o);
  return ref ? [ref.uid] : [];
};
const orphansByNamespace: Indexer<KubeObject> = (o) => (controllerRefOf(o) ? [] : [o.metadata.namespace ?? '']);

/** The indexers to ask for with the informer whose cache ownerIndex() reads. */
export const OWNER_INDEXERS: Readonly<Record<string, Indexer<KubeObject>>> = {
  [CONTROLLER_UID_INDEX]: byControllerUid,
  [ORPHANS_BY_NAMESPACE_INDEX]: orphansByNamespace,
};

export interface OwnerIndex<T extends KubeObject> {
  /** Cached objects whose controller reference has this uid. */
  controlledBy(uid: string): T[];
  /** Cached objects of the namespace that have no controller. */
  orphansIn(namespace: string): T[];
}

/** The lookups over an informer asked for with OWNER_INDEXERS. */
export function ownerIndex<T extends KubeObject>(informer: Informer<T>): OwnerIndex<T> {
  return {
    controlledBy: (uid) => informer.byIndex(CONTROLLER_UID_INDEX, uid),
    orphansIn: (ns) => informer.byIndex(ORPHANS_BY_NAMESPACE_INDEX, ns),
  };
}
