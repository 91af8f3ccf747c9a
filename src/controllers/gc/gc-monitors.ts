// One informer per served resource that can be listed and watched, indexed by the uids an object's
// owner references point at, plus the lookups the garbage collector needs across all of them. The
// informers are the collector's own and cache metadata only, except for resources that another
// component already caches in a shared informer (pods, nodes, ReplicaSets ...): the collector reads
// that one (it needs only the metadata of its objects) rather than holding a second copy of each.

import type { AnyObject, KubeObject, OwnerReference } from '../../api/object.js';
import { createInformer, type Informer } from '../../client/informer.js';
import { groupVersionOf, hasVerbs, resourceRef, type ApiResource } from '../../client/discovery.js';
import type { Indexer } from '../../client/index-store.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import type { ResourceClient } from '../../client/resource.js';
import type { RestClient } from '../../client/rest-client.js';
import type { Logger } from '../../base/log.js';

const OWNER_INDEX = 'owner-uid';
const byOwnerUid: Indexer<KubeObject> = (o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid);

export interface Monitor {
  id: string;
  res: ApiResource;
  informer: Informer;
  /** REST calls on the resource (all namespaces; `.namespace(ns)` for one). */
  api: ResourceClient<AnyObject>;
  /** the informer belongs to the shared factory: started and stopped there, not here */
  borrowed: boolean;
}

export interface Monitors {
  all(): Monitor[];
  byId(id: string): Monitor | undefined;
  /** The monitor serving an owner reference's kind (same group, any version), if any. */
  forRef(ref: Pick<OwnerReference, 'apiVersion' | 'kind'>): Monitor | undefined;
  /** Every cached object with an owner reference to `uid`. */
  dependentsOf(uid: string): { monitor: Monitor; obj: KubeObject }[];
  start(): void;
  whenSynced(): Promise<void>;
  stop(): Promise<void>;
  /**
   * A monitor for a resource served since discovery ran (a new CustomResourceDefinition); not started.
   * Undefined when the resource is not monitored or already is.
   */
  add(res: ApiResource): Monitor | undefined;
  /** Stops and forgets the monitor of a resource no longer served. */
  remove(id: string): Promise<void>;
}

const monitorId = (r: ApiResource) => `${groupVersionOf(r)}/${r.resource}`;
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

export function createMonitors(client: RestClient, resources: readonly ApiResource[], log: Logger, shared?: InformerFactory): Monitors {
  const list: Monitor[] = [];
  const ids = new Map<string, Monitor>();
  const kinds = new Map<string, Monitor>();
  const add = (res: ApiResource): Monitor | undefined => {
    if (!hasVerbs(res, 'list', 'watch')) return undefined;
    // as upstream's garbage collector, events are not monitored (they are many and own nothing)
    if (res.resource === 'events' && (res.group === '' || res.group === 'events.k8s.io')) return undefined;
    // metrics are computed on request, not stored
    if (res.group === 'metrics.k8s.io') return undefined;
    if (ids.has(monitorId(res))) return undefined;
    const api = client.resource(resourceRef(res));
    const have = shared?.existing<AnyObject>(api.path());
    have?.addIndexers({ [OWNER_INDEX]: byOwnerUid });
    const informer =
      have ??
      createInformer<AnyObject>(client, {
        path: api.path(),
        indexers: { [OWNER_INDEX]: byOwnerUid },
        metadataOnly: true,
        log,
      });
    const m: Monitor = { id: monitorId(res), res, informer, api, borrowed: have !== undefined };
    list.push(m);
    ids.set(m.id, m);
    if (!kinds.has(`${res.group}/${res.kind}`)) kinds.set(`${res.group}/${res.kind}`, m);
    return m;
  };
  for (const res of resources) add(res);
  return {
    all: () => list,
    byId: (id) => ids.get(id),
    forRef: (ref) => kinds.get(`${groupOf(ref.apiVersion)}/${ref.kind}`),
    dependentsOf(uid) {
      const out: { monitor: Monitor; obj: KubeObject }[] = [];
      for (const m of list) for (const obj of m.informer.byIndex(OWNER_INDEX, uid)) out.push({ monitor: m, obj });
      return out;
    },
    start() {
      for (const m of list) if (!m.borrowed) m.informer.start();
    },
    async whenSynced() {
      await Promise.all(list.map((m) => m.informer.whenSynced()));
    },
    async stop() {
      await Promise.all(list.filter((m) => !m.borrowed).map((m) => m.informer.stop()));
    },
    add,
    async remove(id) {
      const m = ids.get(id);
      if (!m) return;
      ids.delete(id);
      list.splice(list.indexOf(m), 1);
      const kk = `${m.res.group}/${m.res.kind}`;
      if (kinds.get(kk) === m) {
        kinds.delete(kk);
        const other = list.find((o) => `${o.res.group}/${o.res.kind}` === kk);
        if (other) kinds.set(kk, other);
      }
      if (!m.borrowed) await m.informer.stop();
    },
  };
}
