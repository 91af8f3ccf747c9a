// How the token code reads the objects a token names (ServiceAccount, Pod, Secret, Node): straight
// from the API server's backend through ResourceStores, so the answer is the store's current one
// and there is no second cache to keep coherent. A missing object is `undefined`, never an error.

import type { AnyObject } from '../../../api/object.js';
import type { KindDef } from '../../../api/kind.js';
import type { Backend } from '../../../storage/backend.js';
import { objectOf, ResourceStore } from '../../registry/resource-store.js';

export type BindableKind = 'ServiceAccount' | 'Pod' | 'Secret' | 'Node';

export interface ObjectLookup {
  /** `namespace` is ignored for Nodes */
  get(kind: BindableKind, namespace: string, name: string): Promise<AnyObject | undefined>;
}

/** Lookups through the backend for the core/v1 kinds among `kinds`. */
export function backendLookup(backend: Backend, kinds: readonly KindDef[]): ObjectLookup {
  const stores = new Map<string, ResourceStore>();
  for (const k of kinds) {
    if (k.group === '' && (k.kind === 'ServiceAccount' || k.kind === 'Pod' || k.kind === 'Secret' || k.kind === 'Node')) {
      stores.set(k.kind, new ResourceStore(k, backend));
    }
  }
  return {
    async get(kind, namespace, name) {
      const store = stores.get(kind);
      if (!store || name === '') return undefined;
      const kv = await store.getKv(kind === 'Node' ? undefined : namespace, name);
      return kv ? objectOf(kv) : undefined;
    },
  };
}
