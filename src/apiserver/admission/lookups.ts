// What admission reads besides the request (namespaces, LimitRanges, PriorityClasses,
// ResourceQuotas), as upstream's plugins read them: from caches fed by the store's watch (listers),
// with a live read only where being behind would refuse or let through the wrong thing. Every pod
// create asks for all of them; on a remote store (etcd) each live read is a linearizable round trip
// through raft, more than the create's own write. On a local store (memory, SQLite) a read is
// answered from the store's in-memory index and is current, so reads stay direct there.
//
// Fallbacks, as upstream's: a namespace missing from the cache is read live before anyone is told
// it does not exist (NamespaceLifecycle); a namespace with no LimitRanges or quotas in the cache is
// listed live, and that answer is kept 30 s (LimitRanger's and the quota accessor's live-lookup
// cache), so an object created a moment ago on another server is not missed while the watch
// catches up. Quota charges stay compare-and-swap on the stored version (resource-quota.ts).

import { limitRangeKind } from '../../api/kinds/core/limit-range.js';
import { namespaceKind } from '../../api/kinds/core/namespace.js';
import { resourceQuotaKind } from '../../api/kinds/core/resource-quota.js';
import { priorityClassKind } from '../../api/kinds/scheduling/priorityclass.js';
import type { Backend, KeyValue } from '../../storage/backend.js';
import { resourcePrefix } from '../registry/keys.js';
import { StoreCache } from '../registry/store-cache.js';

/** how long a live answer for a namespace with nothing in the cache is used (upstream's liveTTL) */
const LIVE_TTL_MS = 30_000;

export interface AdmissionReads {
  /** One object: from the cache, else live (a miss in the cache may be the watch being behind). */
  get(key: string): Promise<KeyValue | undefined>;
  /** The objects directly under `dir`: from the cache; none there → live, kept LIVE_TTL_MS. */
  list(dir: string): Promise<KeyValue[]>;
  /** The objects directly under `dir`, read live (a retry after a lost compare-and-swap). */
  listLive(dir: string): Promise<KeyValue[]>;
}

/** The resources admission reads on every create, cached when the store is remote. */
const CACHED = [namespaceKind, limitRangeKind, priorityClassKind, resourceQuotaKind];

/** Whether the store's reads are round trips to another process (caching them pays). */
function isRemoteStore(backend: Backend): boolean {
  return backend.name.startsWith('etcd');
}

/** Straight from the store: current, and cheap on a local store. */
function directReads(backend: Backend): AdmissionReads {
  const listLive = async (dir: string) => (await backend.list(dir)).kvs.filter((kv) => kv.key.lastIndexOf('/') === dir.length - 1);
  return { get: (key) => backend.get(key), list: listLive, listLive };
}

interface CachedReads extends AdmissionReads {
  caches: readonly StoreCache[];
  stop(): void;
}

/** Reads from watch-fed caches of the admission resources (each starts at once; until its first list is in, reads are live). */
export function cachedReads(backend: Backend, now: () => number = Date.now): CachedReads {
  const direct = directReads(backend);
  const caches = CACHED.map((k) => new StoreCache(backend, resourcePrefix(k)));
  const cacheFor = (key: string) => caches.find((c) => c.isReady && key.startsWith(c.prefix));
  const live = new Map<string, { at: number; kvs: KeyValue[] }>();
  return {
    caches,
    async get(key) {
      return cacheFor(key)?.get(key) ?? (await backend.get(key));
    },
    async list(dir) {
      const cache = cacheFor(dir);
      if (!cache) return direct.list(dir);
      const kvs = cache.list(dir);
      if (kvs.length) return kvs;
      const hit = live.get(dir);
      if (hit && now() - hit.at < LIVE_TTL_MS) return hit.kvs;
      const fresh = await direct.list(dir);
      live.set(dir, { at: now(), kvs: fresh });
      if (live.size > 4096) for (const [k, v] of live) if (now() - v.at >= LIVE_TTL_MS) live.delete(k);
      return fresh;
    },
    listLive: direct.listLive,
    stop: () => caches.forEach((c) => c.stop()),
  };
}

const shared = new WeakMap<Backend, AdmissionReads>();

/**
 * The admission reads of one Backend object, made once and shared by every plugin over it: cached
 * on a remote store, direct on a local one. Caches end when the backend closes (their watch ends
 * with ClosedError).
 */
export function admissionReads(backend: Backend): AdmissionReads {
  let r = shared.get(backend);
  if (!r) shared.set(backend, (r = isRemoteStore(backend) ? cachedReads(backend) : directReads(backend)));
  return r;
}
