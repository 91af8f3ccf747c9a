// The informer's local cache: objects by key plus named secondary indexes (index value -> keys).

import type { KubeObject } from '../api/object.js';

/** The values an object is indexed under (none: not indexed). */
export type Indexer<T> = (obj: T) => string[];

export interface IndexStore<T extends KubeObject> {
  get(key: string): T | undefined;
  put(key: string, obj: T): void;
  remove(key: string): void;
  list(): T[];
  /** A copy of the key -> object map. */
  snapshot(): Map<string, T>;
  byIndex(index: string, value: string): T[];
  /**
   * Adds indexes (built over the objects already cached). A name already taken by another
   * function is a conflict and throws: two callers would read each other's index.
   */
  addIndexers(more: Readonly<Record<string, Indexer<T>>>): void;
  indexNames(): string[];
}

export function createIndexStore<T extends KubeObject>(initial: Readonly<Record<string, Indexer<T>>>): IndexStore<T> {
  const indexers: Record<string, Indexer<T>> = { ...initial };
  const items = new Map<string, T>();
  const indexes = new Map<string, Map<string, Set<string>>>();
  for (const name of Object.keys(indexers)) indexes.set(name, new Map());

  const unindex = (key: string, obj: T) => {
    for (const [name, fn] of Object.entries(indexers)) {
      const idx = indexes.get(name)!;
      for (const v of fn(obj)) {
        const set = idx.get(v);
        if (!set) continue;
        set.delete(key);
        if (set.size === 0) idx.delete(v);
      }
    }
  };
  const index = (key: string, obj: T) => {
    for (const [name, fn] of Object.entries(indexers)) {
      const idx = indexes.get(name)!;
      for (const v of fn(obj)) {
        let set = idx.get(v);
        if (!set) idx.set(v, (set = new Set()));
        set.add(key);
      }
    }
  };

  return {
    get: (key) => items.get(key),
    put(key, obj) {
      const old = items.get(key);
      if (old) unindex(key, old);
      items.set(key, obj);
      index(key, obj);
    },
    remove(key) {
      const old = items.get(key);
      if (!old) return;
      unindex(key, old);
      items.delete(key);
    },
    list: () => [...items.values()],
    snapshot: () => new Map(items),
    addIndexers(more) {
      for (const [name, fn] of Object.entries(more)) {
        const have = indexers[name];
        if (have === fn) continue;
        if (have) throw new Error(`index ${name} is already defined by another caller`);
        indexers[name] = fn;
        const idx = new Map<string, Set<string>>();
        indexes.set(name, idx);
        for (const [key, obj] of items) {
          for (const v of fn(obj)) {
            let set = idx.get(v);
            if (!set) idx.set(v, (set = new Set()));
            set.add(key);
          }
        }
      }
    },
    indexNames: () => Object.keys(indexers),
    byIndex(name, value) {
      const idx = indexes.get(name);
      if (!idx) throw new Error(`no index named ${name}`);
      const out: T[] = [];
      for (const k of idx.get(value) ?? []) {
        const o = items.get(k);
        if (o) out.push(o);
      }
      return out;
    },
  };
}
