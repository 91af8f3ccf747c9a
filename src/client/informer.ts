// A list-watch cache, the client-go informer analogue: LIST (paged), then WATCH from the list's
// resourceVersion with bookmarks; a 410 Expired or a failed watch leads to a relist (with backoff),
// and the differences between the cache and the fresh list are delivered as synthetic events so that
// no add, update or delete is missed. A watch that found no API server to answer is tried again from
// its resourceVersion instead (with backoff): being cut off is no reason to relist. Handlers run synchronously in event order, and each object's
// events reach every handler in the order the cache saw them; controllers should only enqueue keys
// from them and read the cache from their workers.

import type { AnyObject, KubeObject } from '../api/object.js';
import { StatusError } from '../base/errors.js';
import { createBackoff, type BackoffOptions } from '../base/backoff.js';
import { nullLogger, type Logger } from '../base/log.js';
import { withQuery } from './paths.js';
import type { RestClient, WatchEvent } from './rest-client.js';
import { objectKey } from './object-key.js';
import { diffSnapshot, isStale, type CacheChange } from './relist-diff.js';
import { createIndexStore, type Indexer } from './index-store.js';
import { sharedStringTable } from './informer-compact.js';

export interface InformerOptions<T extends KubeObject = AnyObject> {
  /** Collection path, e.g. `/api/v1/pods` or `/apis/apps/v1/deployments` (all namespaces) */
  path: string;
  fieldSelector?: string;
  labelSelector?: string;
  /** LIST page size (default 500) */
  pageSize?: number;
  /** Extra indexes: name -> the index values of an object. `namespace` always exists. */
  indexers?: Record<string, Indexer<T>>;
  /** Delay between failed attempts (default 250 ms doubling to 30 s, 20 % jitter) */
  backoff?: BackoffOptions;
  /** Server-side timeout of each watch request (default: random 300..600 s) */
  watchTimeoutSeconds?: number;
  /**
   * Keep metadata.managedFields in cached objects (default: dropped, as upstream's scheduler and
   * controllers do: they never read them, and they are often half of an object's size).
   */
  keepManagedFields?: boolean;
  /**
   * Cache only metadata (PartialObjectMetadata), as upstream's garbage collector does: objects then
   * cost a fraction of the memory. Objects keep their kind and apiVersion from the list.
   */
  metadataOnly?: boolean;
  /**
   * Share repeated string values between cached objects (default true: see informer-compact.ts).
   * The objects read the same; only the bench turns it off, to measure what it saves.
   */
  compact?: boolean;
  log?: Logger;
}

interface InformerHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(old: T, obj: T): void;
  /** `obj` is the last state the cache knew (after a relist it may be older than the real final state). */
  onDelete?(obj: T): void;
}

/** A handler registration: `remove()` stops its events; `hasSynced()` is true once it has seen the first complete list. */
interface HandlerRegistration {
  remove(): void;
  hasSynced(): boolean;
}

export interface Informer<T extends KubeObject = AnyObject> {
  /** Starts list-watching (once). Add handlers registered after sync are first called for every cached object. */
  start(): void;
  /** Resolves after the first complete LIST has been delivered, or at stop(). */
  whenSynced(): Promise<void>;
  hasSynced(): boolean;
  list(): T[];
  /** By key: `namespace/name` or `name` for cluster-scoped objects. */
  get(key: string): T | undefined;
  byNamespace(namespace: string): T[];
  byIndex(index: string, value: string): T[];
  /** Adds indexes to a running informer (a shared one); a name another caller defined differently throws. */
  addIndexers(indexers: Readonly<Record<string, Indexer<T>>>): void;
  /**
   * Registers handlers. A registration made after sync first gets onAdd for every cached object,
   * so a late joiner of a shared informer misses nothing.
   */
  addHandlers(h: InformerHandlers<T>): HandlerRegistration;
  onAdd(h: (obj: T) => void): void;
  onUpdate(h: (old: T, obj: T) => void): void;
  onDelete(h: (obj: T) => void): void;
  /** The resourceVersion of the newest list, event or bookmark seen. */
  lastResourceVersion(): string;
  /** Counts of LIST rounds (including the first) and watch requests made: for tests and metrics. */
  stats(): { lists: number; watches: number };
  stop(): Promise<void>;
}

interface ListAnswer {
  metadata?: { resourceVersion?: string; continue?: string };
  kind?: string;
  apiVersion?: string;
  items?: KubeObject[];
}

const PAGE = 500;

export function createInformer<T extends KubeObject = AnyObject>(client: RestClient, opts: InformerOptions<T>): Informer<T> {
  const log = opts.log ?? nullLogger;
  const store = createIndexStore<T>({ namespace: (o) => (o.metadata.namespace ? [o.metadata.namespace] : []), ...opts.indexers });
  const handlers: Array<{ h: InformerHandlers<T>; synced: boolean }> = [];
  const compact = opts.compact === false ? undefined : sharedStringTable;
  const backoff = createBackoff(opts.backoff ?? { initialMs: 250, factor: 2, maxMs: 30_000, jitter: 0.2 });
  let rv = '';
  let started = false;
  let stopped = false;
  let synced = false;
  let lists = 0;
  let watches = 0;
  let currentWatch: { stop(): void } | undefined;
  let wake: (() => void) | undefined;
  let loop: Promise<void> = Promise.resolve();
  let markSynced: () => void = () => {};
  const syncedP = new Promise<void>((r) => {
    markSynced = r;
  });

  const call = (f: (h: InformerHandlers<T>) => void) => {
    for (const r of handlers) {
      try {
        f(r.h);
      } catch (e) {
        log.error('handler failed', { path: opts.path, error: e });
      }
    }
  };
  const emit = (c: CacheChange<T>) => {
    switch (c.type) {
      case 'add':
        call((h) => h.onAdd?.(c.obj));
        break;
      case 'update':
        call((h) => h.onUpdate?.(c.old, c.obj));
        break;
      case 'delete':
        call((h) => h.onDelete?.(c.obj));
        break;
      default: {
        const never: never = c;
        void never;
      }
    }
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(t);
        wake = undefined;
        resolve();
      };
    });

  const accept = opts.metadataOnly
    ? 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1'
    : undefined;

  async function listAll(): Promise<{ items: Map<string, T>; rv: string }> {
    const items = new Map<string, T>();
    let cont: string | undefined;
    let listRv = '';
    do {
      const page = await client.request<ListAnswer>(
        'GET',
        withQuery(opts.path, {
          limit: String(opts.pageSize ?? PAGE),
          continue: cont,
          fieldSelector: opts.fieldSelector,
          labelSelector: opts.labelSelector,
        }),
        undefined,
        undefined,
        accept,
      );
      if (!listRv) listRv = page.metadata?.resourceVersion ?? '';
      const itemKind = page.kind?.endsWith('List') ? page.kind.slice(0, -4) : undefined;
      for (const it of page.items ?? []) {
        if (!opts.keepManagedFields) delete it.metadata.managedFields;
        if (!it.kind && itemKind) it.kind = itemKind;
        if (!it.apiVersion && page.apiVersion) it.apiVersion = page.apiVersion;
        compact?.compact(it);
        items.set(objectKey(it), it as T);
      }
      cont = page.metadata?.continue || undefined;
      if (stopped) break;
    } while (cont);
    return { items, rv: listRv };
  }

  async function relist(): Promise<void> {
    lists++;
    const fresh = await listAll();
    if (stopped) return;
    const changes = diffSnapshot(store.snapshot(), fresh.items);
    for (const c of changes) {
      if (c.type === 'delete') store.remove(c.key);
      else store.put(c.key, c.obj);
    }
    rv = fresh.rv;
    for (const c of changes) emit(c);
    if (!synced) {
      synced = true;
      for (const r of handlers) r.synced = true;
      markSynced();
    }
  }

  function apply(ev: WatchEvent): 'ok' | 'expired' | 'error' {
    const obj = ev.object as unknown as T;
    if (!opts.keepManagedFields && obj.metadata) delete obj.metadata.managedFields;
    switch (ev.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const key = objectKey(obj);
        const old = store.get(key);
        if (obj.metadata.resourceVersion) rv = obj.metadata.resourceVersion;
        if (isStale(old, obj)) return 'ok';
        compact?.compact(obj);
        store.put(key, obj);
        if (old && old.metadata.uid !== obj.metadata.uid) {
          emit({ type: 'delete', key, obj: old });
          emit({ type: 'add', key, obj });
        } else emit(old ? { type: 'update', key, old, obj } : { type: 'add', key, obj });
        return 'ok';
      }
      case 'DELETED': {
        const key = objectKey(obj);
        const old = store.get(key);
        if (obj.metadata.resourceVersion) rv = obj.metadata.resourceVersion;
        if (!old || old.metadata.uid !== obj.metadata.uid) return 'ok';
        store.remove(key);
        emit({ type: 'delete', key, obj });
        return 'ok';
      }
      case 'BOOKMARK':
        if (obj.metadata?.resourceVersion) rv = obj.metadata.resourceVersion;
        return 'ok';
      case 'ERROR': {
        const code = (ev.object as { code?: unknown }).code;
        log.warn('watch error', { path: opts.path, code, message: (ev.object as { message?: unknown }).message });
        return code === 410 ? 'expired' : 'error';
      }
      default:
        return 'ok';
    }
  }

  /**
   * One watch request; answers how it ended. 'unreachable': no API server could be reached (the
   * client already tried each); the watch is tried again from the same version, not relisted.
   */
  async function watchOnce(): Promise<'closed' | 'expired' | 'error' | 'unreachable'> {
    watches++;
    const timeout = opts.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
    let outcome: 'closed' | 'expired' | 'error' = 'closed';
    const w = client.watch(
      withQuery(opts.path, {
        watch: 'true',
        resourceVersion: rv,
        allowWatchBookmarks: 'true',
        timeoutSeconds: String(timeout),
        fieldSelector: opts.fieldSelector,
        labelSelector: opts.labelSelector,
      }),
      (ev) => {
        if (outcome !== 'closed' || stopped) return;
        const r = apply(ev);
        if (r !== 'ok') {
          outcome = r;
          w.stop();
        }
      },
      accept,
    );
    currentWatch = w;
    try {
      await w.done;
    } catch (e) {
      if (stopped) return 'closed';
      log.warn('watch failed', { path: opts.path, error: e });
      if (e instanceof StatusError && e.code === 410) return 'expired';
      return e instanceof StatusError ? 'error' : 'unreachable';
    } finally {
      currentWatch = undefined;
    }
    return outcome;
  }

  async function run(): Promise<void> {
    let needList = true;
    while (!stopped) {
      try {
        if (needList) {
          await relist();
          needList = false;
        }
        if (stopped) break;
        const began = Date.now();
        const end = await watchOnce();
        if (stopped) break;
        if (end === 'unreachable') {
          // as upstream's reflector: a server that cannot be reached is no reason to relist; the
          // watch resumes from the last version once one answers (a 410 then relists)
          await sleep(backoff.next());
          continue;
        }
        if (end === 'closed') {
          // a clean close (timeout): watch again from the last version; pause if it closes at once
          if (Date.now() - began < 1000) await sleep(backoff.next());
          else backoff.reset();
          continue;
        }
        needList = true;
        if (end === 'error') await sleep(backoff.next());
        else backoff.reset();
      } catch (e) {
        if (stopped) break;
        log.warn('list failed', { path: opts.path, error: e });
        needList = true;
        await sleep(backoff.next());
      }
    }
  }

  function addHandlers(h: InformerHandlers<T>): HandlerRegistration {
    const reg = { h, synced };
    handlers.push(reg);
    // a handler that joins a synced informer (a shared one) first sees what is already cached
    if (synced && h.onAdd) for (const o of store.list()) h.onAdd(o);
    return {
      remove() {
        const i = handlers.indexOf(reg);
        if (i >= 0) handlers.splice(i, 1);
      },
      hasSynced: () => reg.synced,
    };
  }

  return {
    start() {
      if (started || stopped) return;
      started = true;
      loop = run();
    },
    whenSynced: () => syncedP,
    hasSynced: () => synced,
    list: () => store.list(),
    get: (key) => store.get(key),
    byNamespace: (ns) => store.byIndex('namespace', ns),
    byIndex: (index, value) => store.byIndex(index, value),
    addIndexers: (more) => store.addIndexers(more),
    addHandlers,
    onAdd(h) {
      addHandlers({ onAdd: h });
    },
    onUpdate(h) {
      addHandlers({ onUpdate: h });
    },
    onDelete(h) {
      addHandlers({ onDelete: h });
    },
    lastResourceVersion: () => rv,
    stats: () => ({ lists, watches }),
    async stop() {
      stopped = true;
      currentWatch?.stop();
      wake?.();
      markSynced();
      await loop;
    },
  };
}
