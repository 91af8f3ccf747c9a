// Shared informers: one list-watch cache per collection path for all the components of a process
// (scheduler, controllers, simulated nodes), as client-go's SharedInformerFactory does. Handlers
// registered by several components all see every event; start() starts what was requested.

import type { KubeObject } from '../api/object.js';
import type { RestClient } from './rest-client.js';
import { createInformer, type Informer, type InformerOptions } from './informer.js';

export interface InformerFactory {
  /**
   * The informer for a collection path (e.g. `/api/v1/pods`, `/apis/apps/v1/deployments`), created
   * on first use. Indexers given by later callers are ignored: declare indexes on first use.
   */
  informer<T extends KubeObject = KubeObject>(path: string, opts?: Omit<InformerOptions<T>, 'path'>): Informer<T>;
  /** Starts every informer created so far (and those created later, as they are created). */
  start(): void;
  /** Resolves when every started informer has synced. */
  whenSynced(): Promise<void>;
  stop(): Promise<void>;
}

export function createInformerFactory(client: RestClient, defaults: Omit<InformerOptions, 'path'> = {}): InformerFactory {
  const informers = new Map<string, Informer<KubeObject>>();
  let started = false;
  return {
    informer<T extends KubeObject>(path: string, opts: Omit<InformerOptions<T>, 'path'> = {}): Informer<T> {
      const key = `${path}?${opts.fieldSelector ?? ''}&${opts.labelSelector ?? ''}`;
      let inf = informers.get(key) as Informer<T> | undefined;
      if (!inf) {
        inf = createInformer<T>(client, { ...(defaults as Omit<InformerOptions<T>, 'path'>), ...opts, path });
        informers.set(key, inf as unknown as Informer<KubeObject>);
        if (started) inf.start();
      }
      return inf;
    },
    start() {
      started = true;
      for (const i of informers.values()) i.start();
    },
    async whenSynced() {
      await Promise.all([...informers.values()].map((i) => i.whenSynced()));
    },
    async stop() {
      await Promise.all([...informers.values()].map((i) => i.stop()));
    },
  };
}
