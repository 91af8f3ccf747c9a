// Serving a kind at a version other than the one its objects are stored at (the `None` conversion
// of CustomResourceDefinitions): a view of the backend that stores every written object at the
// storage version and shows every stored object (whatever version wrote it) at the served version.
// Only apiVersion changes. Stored documents start with apiVersion (see codec.ts), so both
// directions are a splice at a known place, not a parse. A kind opts in with KindDef.storageVersion.

import type { AnyObject } from '../../api/object.js';
import type { KindConversion } from '../../api/kind.js';
import type { Backend, KeyValue, StorageEvent } from '../../storage/backend.js';

const HEAD = '{"apiVersion":"';

/** `text` with its leading apiVersion set to `apiVersion` (unchanged when it already is, or has none). */
export function withApiVersion(text: string, apiVersion: string): string {
  if (!text.startsWith(HEAD)) return text;
  const end = text.indexOf('"', HEAD.length);
  if (end < 0 || text.slice(HEAD.length, end) === apiVersion) return text;
  return `${HEAD}${apiVersion}${text.slice(end)}`;
}

/**
 * `onRead`, when given, is applied to every object read back from storage (get, list, watch; not the
 * answer to a write, which went through the same rules just before): custom resources are pruned
 * and defaulted by their current schema on read, as upstream does, so a default added to a CRD
 * shows on objects stored before it. Each stored version is transformed once (watchers share it).
 */
export function versionedBackend(
  backend: Backend,
  servedApiVersion: string,
  storageApiVersion: string,
  onRead?: (obj: Record<string, unknown>) => void,
  conversion?: KindConversion,
): Backend {
  if (conversion) return convertedBackend(backend, conversion);
  const written = (kv: KeyValue): KeyValue => {
    const value = withApiVersion(kv.value, servedApiVersion);
    return value === kv.value ? kv : { ...kv, value };
  };
  const seen = new WeakMap<KeyValue, KeyValue>();
  const out = (kv: KeyValue): KeyValue => {
    if (!onRead) return written(kv);
    const hit = seen.get(kv);
    if (hit) return hit;
    let value = withApiVersion(kv.value, servedApiVersion);
    try {
      const obj = JSON.parse(value) as Record<string, unknown>;
      onRead(obj);
      const again = JSON.stringify(obj);
      if (again !== value) value = again;
    } catch {
      // a stored document that does not parse is served as it is
    }
    const res = value === kv.value ? kv : { ...kv, value };
    seen.set(kv, res);
    return res;
  };
  return mappedBackend(backend, { out, answer: written, stored: (value) => withApiVersion(value, storageApiVersion) });
}

/** `obj` as stored text, apiVersion and kind first (stored documents start with apiVersion, see codec.ts). */
function storedText(obj: AnyObject): string {
  const { apiVersion, kind, ...rest } = obj;
  return JSON.stringify({ apiVersion, kind, ...rest });
}

/**
 * A kind with a real conversion (built-in kinds served at two versions): every written object is
 * converted to the storage version, every stored one (read, listed, watched, or the answer to a
 * write) back to the served version. Each stored version is converted once (watchers share it).
 */
function convertedBackend(backend: Backend, conversion: KindConversion): Backend {
  const seen = new WeakMap<KeyValue, KeyValue>();
  const out = (kv: KeyValue): KeyValue => {
    const hit = seen.get(kv);
    if (hit) return hit;
    let res = kv;
    try {
      res = { ...kv, value: storedText(conversion.fromStorage(JSON.parse(kv.value) as AnyObject)) };
    } catch {
      // a stored document that does not parse is served as it is
    }
    seen.set(kv, res);
    return res;
  };
  return mappedBackend(backend, { out, answer: out, stored: (value) => storedText(conversion.toStorage(JSON.parse(value) as AnyObject)) });
}

/**
 * The backend with every stored value shown through `out` (get, list, watch, delete), written values
 * stored as `stored` makes them, and the answers to writes shown through `answer`.
 */
function mappedBackend(
  backend: Backend,
  m: { out: (kv: KeyValue) => KeyValue; answer: (kv: KeyValue) => KeyValue; stored: (value: string) => string },
): Backend {
  const { out, answer, stored } = m;
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
    create: async (key, value) => answer(await backend.create(key, stored(value))),
    update: async (key, value, rev) => answer(await backend.update(key, stored(value), rev)),
    delete: async (key, rev) => out(await backend.delete(key, rev)),
    watch: (prefix, after, h) => backend.watch(prefix, after, { onEvents: (evs) => h.onEvents(evs.map(ev)), onError: (e) => h.onError(e) }),
    compact: (rev) => backend.compact(rev),
    close: () => backend.close(),
  };
}
