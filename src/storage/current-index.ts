// The current state of a revisioned store: key -> KeyValue plus the keys in sorted order, so that
// get, prefix list (with `after`/`limit`) and count are answered from memory. Shared by every
// backend that keeps its current state in process (memory, sqlite). Keys are ordered by JavaScript
// string comparison (UTF-16 code units); that equals byte order for all keys below U+E000.
import type { KeyValue } from './backend.js';

export interface PrefixPage { kvs: KeyValue[]; more: boolean }

export interface CurrentIndex {
  readonly size: number;
  get(key: string): KeyValue | undefined;
  /** Insert or replace. */
  put(kv: KeyValue): void;
  remove(key: string): void;
  /** Keys with `prefix` that are > `after`, in order, at most `limit` (0/undefined: all). */
  list(prefix: string, after?: string, limit?: number): PrefixPage;
  count(prefix: string): number;
  /** Every KeyValue with `prefix`, in key order. */
  withPrefix(prefix: string): Iterable<KeyValue>;
}

export function createCurrentIndex(initial: Iterable<KeyValue> = []): CurrentIndex {
  const map = new Map<string, KeyValue>();
  for (const kv of initial) map.set(kv.key, kv);
  const keys = [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  /** Index of the first key >= k. */
  const lowerBound = (k: string): number => {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] as string) < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  /** Index of the first key at or after `from` that does not start with prefix (keys with a prefix are contiguous). */
  const prefixEnd = (prefix: string, from: number): number => {
    if (prefix === '') return keys.length;
    let lo = from;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] as string).startsWith(prefix)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  return {
    get size() { return map.size; },
    get: (key) => map.get(key),
    put(kv) {
      if (!map.has(kv.key)) {
        const i = lowerBound(kv.key);
        if (i === keys.length) keys.push(kv.key);
        else keys.splice(i, 0, kv.key);
      }
      map.set(kv.key, kv);
    },
    remove(key) {
      if (!map.delete(key)) return;
      const i = lowerBound(key);
      if (keys[i] === key) keys.splice(i, 1);
    },
    list(prefix, after, limit) {
      let i = after !== undefined && after >= prefix ? lowerBound(after) : lowerBound(prefix);
      if (after !== undefined && keys[i] === after) i++;
      const end = prefixEnd(prefix, i);
      const max = limit && limit > 0 ? limit : Infinity;
      const kvs: KeyValue[] = [];
      for (; i < end && kvs.length < max; i++) kvs.push(map.get(keys[i] as string) as KeyValue);
      return { kvs, more: i < end };
    },
    count(prefix) {
      const start = lowerBound(prefix);
      return prefixEnd(prefix, start) - start;
    },
    *withPrefix(prefix) {
      const start = lowerBound(prefix);
      const end = prefixEnd(prefix, start);
      for (let i = start; i < end; i++) yield map.get(keys[i] as string) as KeyValue;
    },
  };
}
