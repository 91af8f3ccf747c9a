// Serving a kind at a version other than the one its objects are stored at (the `None` conversion
// of CustomResourceDefinitions): a view of the backend that stores every written object at the
// storage version and shows every stored object (whatever version wrote it) at the served version.
// Only apiVersion changes. Stored documents start with apiVersion (see codec.ts), so both
// directions are a splice at a known place, not a parse. A kind opts in with KindDef.storageVersion.

import type { Backend, KeyValue, StorageEvent } from '../../storage/backend.js';

const HEAD = '{"apiVersion":"';

/** `text` with its leading apiVersion set to `apiVersion` (unchanged when it already is, or has none). */
export function withApiVersion(text: string, apiVersion: string): string {
  if (!text.startsWith(HEAD)) return text;
  const end = text.indexOf('"', HEAD.length);
  if (end < 0 || text.slice(HEAD.length, end) === apiVersion) return text;
  return `${HEAD}${apiVersion}${text.slice(end)}`;
}

export function versionedBackend(backend: Backend, servedApiVersion: string, storageApiVersion: string): Backend {
  const out = (kv: KeyValue): KeyValue => {
    const value = withApiVersion(kv.value, servedApiVersion);
    return value === kv.value ? kv : { ...kv, value };
  };
  const ev = (e: StorageEvent): StorageEvent =>
    e.type === 'create' ? { type: 'create', kv: out(e.kv) } : { type: e.type, kv: out(e.kv), prev: out(e.prev) };
  return {
    name: backend.name,
    currentRevision: () => backend.currentRevision(),
    compactedRevision: () => backend.compactedRevision(),
    get: async (key) => {
      const kv = await backend.get(key);
      return kv && out(kv);
    },
    list: async (prefix, opts) => {
      const r = await backend.list(prefix, opts);
      return { ...r, kvs: r.kvs.map(out) };
    },
    count: (prefix) => backend.count(prefix),
    create: async (key, value) => out(await backend.create(key, withApiVersion(value, storageApiVersion))),
    update: async (key, value, rev) => out(await backend.update(key, withApiVersion(value, storageApiVersion), rev)),
    delete: async (key, rev) => out(await backend.delete(key, rev)),
    watch: (prefix, after, h) => backend.watch(prefix, after, { onEvents: (evs) => h.onEvents(evs.map(ev)), onError: (e) => h.onError(e) }),
    compact: (rev) => backend.compact(rev),
    close: () => backend.close(),
  };
}
