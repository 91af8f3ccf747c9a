// An in-memory stand-in for one resource collection of the API server, behind the RestClient
// interface: paged LIST, WATCH from a resourceVersion, compaction (410 Expired), and switches to
// hold back or break watches. For informer and controller tests only.

import type { AnyObject, KubeObject } from '../../api/object.js';
import { StatusError } from '../../base/errors.js';
import type { ResourceRef } from '../paths.js';
import { createResourceClient } from '../resource.js';
import type { RestClient, WatchEvent, WatchStream } from '../rest-client.js';
import { objectKey } from '../object-key.js';

interface Watcher {
  onEvent: (ev: WatchEvent) => void;
  end: () => void;
}

export interface FakeApi {
  client: RestClient;
  upsert(obj: KubeObject): AnyObject;
  remove(key: string): void;
  /** Forgets history: watches from an older version get ERROR 410. */
  compact(): void;
  /** While held, events are recorded but not sent to open watches. */
  hold(on: boolean): void;
  /** Sends ERROR 410 on every open watch and closes it. */
  expireWatches(): void;
  /** Closes every open watch cleanly (like a server timeout). */
  closeWatches(): void;
  /** The next N list/watch requests fail with a 500. */
  failNext(n: number): void;
  requests: string[];
  openWatches(): number;
}

export function createFakeApi(kind = 'ConfigMap', apiVersion = 'v1'): FakeApi {
  const objects = new Map<string, AnyObject>();
  const history: { rev: number; ev: WatchEvent }[] = [];
  let rev = 1;
  let compacted = 0;
  let held = false;
  let failures = 0;
  const watchers = new Set<Watcher>();
  const requests: string[] = [];
  const clone = <T>(x: T): T => structuredClone(x);

  const record = (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: AnyObject) => {
    const ev: WatchEvent = { type, object: clone(obj) as unknown as Record<string, unknown> };
    history.push({ rev, ev });
    if (!held) for (const w of watchers) w.onEvent(clone(ev));
  };
  const maybeFail = () => {
    if (failures > 0) {
      failures--;
      throw new StatusError(500, 'InternalError', 'injected failure');
    }
  };

  const client: RestClient = {
    resource: <T extends KubeObject = AnyObject>(k: ResourceRef) => createResourceClient<T>(client, k),
    async request<T>(method: string, path: string): Promise<T> {
      requests.push(`${method} ${path}`);
      maybeFail();
      const u = new URL(path, 'http://x');
      const limit = Number(u.searchParams.get('limit') ?? '0');
      const start = Number(u.searchParams.get('continue') ?? '0');
      const all = [...objects.values()].sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
      const page = limit > 0 ? all.slice(start, start + limit) : all;
      const next = limit > 0 && start + limit < all.length ? String(start + limit) : undefined;
      return {
        kind: `${kind}List`,
        apiVersion,
        metadata: { resourceVersion: String(rev), ...(next ? { continue: next } : {}) },
        items: page.map(clone),
      } as T;
    },
    async getOrUndefined<T>(): Promise<T | undefined> {
      return undefined;
    },
    watch(path, onEvent): WatchStream {
      requests.push(`WATCH ${path}`);
      let resolve: () => void = () => {};
      let reject: (e: unknown) => void = () => {};
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      if (failures > 0) {
        failures--;
        setImmediate(() => reject(new StatusError(500, 'InternalError', 'injected failure')));
        return { stop() {}, done };
      }
      const from = Number(new URL(path, 'http://x').searchParams.get('resourceVersion') ?? '0');
      const w: Watcher = {
        onEvent,
        end: () => {
          watchers.delete(w);
          resolve();
        },
      };
      setImmediate(() => {
        if (from < compacted) {
          onEvent({
            type: 'ERROR',
            object: {
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              reason: 'Expired',
              code: 410,
              message: 'too old resource version',
            },
          });
          resolve();
          return;
        }
        for (const h of history) if (h.rev > from) onEvent(clone(h.ev));
        watchers.add(w);
      });
      return { stop: () => w.end(), done };
    },
    close() {},
  };

  return {
    client,
    upsert(obj) {
      rev++;
      const key = objectKey(obj);
      const old = objects.get(key);
      const o: AnyObject = { ...clone(obj) };
      o.kind = kind;
      o.apiVersion = apiVersion;
      o.metadata.resourceVersion = String(rev);
      o.metadata.uid ??= old?.metadata.uid ?? `uid-${key}-${rev}`;
      objects.set(key, o);
      record(old ? 'MODIFIED' : 'ADDED', o);
      return clone(o);
    },
    remove(key) {
      const old = objects.get(key);
      if (!old) return;
      rev++;
      objects.delete(key);
      record('DELETED', { ...old, metadata: { ...old.metadata, resourceVersion: String(rev) } });
    },
    compact() {
      compacted = rev;
      history.length = 0;
    },
    hold(on) {
      held = on;
    },
    expireWatches() {
      for (const w of [...watchers]) {
        w.onEvent({
          type: 'ERROR',
          object: {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'Expired',
            code: 410,
            message: 'too old resource version',
          },
        });
        w.end();
      }
    },
    closeWatches() {
      for (const w of [...watchers]) w.end();
    },
    failNext(n) {
      failures = n;
    },
    requests,
    openWatches: () => watchers.size,
  };
}
