// Shared informers: one list-watch cache per kind (and namespace and selectors) for all the
// components of a process (scheduler, controllers, simulated nodes), as client-go's
// SharedInformerFactory does. Every caller's handlers see every event; indexes asked for by later
// callers are added to the shared cache; a caller asking for a different cache shape (metadata
// only, managed fields kept) of the same informer is a programming error and throws.

import type { KindDef } from '../api/kind.js';
import type { AnyObject, KubeObject } from '../api/object.js';
import { collectionPath } from './paths.js';
import type { RestClient } from './rest-client.js';
import { createInformer, type Informer, type InformerOptions } from './informer.js';

/** What a caller may ask of a shared informer (the path comes from the kind). */
type SharedInformerOptions<T extends KubeObject> = Omit<InformerOptions<T>, 'path'> & {
  /** Watch one namespace only (default: all). */
  namespace?: string;
};

export interface InformerFactory {
  /** The shared informer for a kind, created on first use; later callers' indexers are merged in. */
  for<T extends KubeObject>(kind: KindDef<T>, opts?: SharedInformerOptions<T>): Informer<T>;
  /** The informer for a collection path: for kind-agnostic callers (the garbage collector's discovered resources). */
  informer<T extends KubeObject = AnyObject>(path: string, opts?: Omit<InformerOptions<T>, 'path'>): Informer<T>;
  /**
   * The full-object informer of a collection path (no selectors) that some caller already asked for,
   * if any: a caller that needs less (the garbage collector: metadata) reads it instead of caching
   * the same objects a second time.
   */
  existing<T extends KubeObject = AnyObject>(path: string): Informer<T> | undefined;
  /** Starts every informer created so far (and those created later, as they are created). */
  start(): void;
  /** Resolves when every started informer has synced. */
  whenSynced(): Promise<void>;
  stop(): Promise<void>;
}

interface Entry {
  inf: Informer<KubeObject>;
  metadataOnly: boolean;
  keepManagedFields: boolean;
}

export function createInformerFactory(client: RestClient, defaults: Omit<InformerOptions, 'path' | 'indexers'> = {}): InformerFactory {
  const informers = new Map<string, Entry>();
  let started = false;

  function shared<T extends KubeObject>(path: string, opts: Omit<InformerOptions<T>, 'path'>): Informer<T> {
    const key = `${path}?${opts.fieldSelector ?? ''}&${opts.labelSelector ?? ''}`;
    const metadataOnly = opts.metadataOnly ?? defaults.metadataOnly ?? false;
    const keepManagedFields = opts.keepManagedFields ?? defaults.keepManagedFields ?? false;
    const have = informers.get(key);
    if (have) {
      if (have.metadataOnly !== metadataOnly || have.keepManagedFields !== keepManagedFields) {
        throw new Error(
          `informer ${key}: asked for metadataOnly=${metadataOnly} keepManagedFields=${keepManagedFields}, ` +
            `but it is shared with metadataOnly=${have.metadataOnly} keepManagedFields=${have.keepManagedFields}`,
        );
      }
      // the cache holds objects of the type its first caller named; callers of one path share one kind
      const inf = have.inf as Informer<T>;
      if (opts.indexers) inf.addIndexers(opts.indexers);
      return inf;
    }
    const inf = createInformer<T>(client, { ...(defaults as Omit<InformerOptions<T>, 'path'>), ...opts, path });
    informers.set(key, { inf: inf as Informer<KubeObject>, metadataOnly, keepManagedFields });
    if (started) inf.start();
    return inf;
  }

  return {
    for: (kind, opts = {}) => {
      const { namespace, ...rest } = opts;
      return shared(collectionPath(kind, namespace), rest);
    },
    informer: (path, opts = {}) => shared(path, opts),
    existing<T extends KubeObject = AnyObject>(path: string) {
      const e = informers.get(`${path}?&`);
      return e && !e.metadataOnly ? (e.inf as unknown as Informer<T>) : undefined;
    },
    start() {
      started = true;
      for (const e of informers.values()) e.inf.start();
    },
    async whenSynced() {
      await Promise.all([...informers.values()].map((e) => e.inf.whenSynced()));
    },
    async stop() {
      await Promise.all([...informers.values()].map((e) => e.inf.stop()));
    },
  };
}
