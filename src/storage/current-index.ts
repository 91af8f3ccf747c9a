// The current state of a revisioned store: key -> KeyValue plus the keys in sorted order, so that
// get, prefix list (with `after`/`limit`) and count are answered from memory. Shared by every
// backend that keeps its current state in process (memory, sqlite). Keys are ordered by JavaScript
// string comparison (UTF-16 code units); that equals byte order for all keys below U+E000.
//
// The sorted keys live in chunks of at most CHUNK keys (a one-level B-tree): adding or removing a
// key moves at most CHUNK entries, where one sorted array moved half the store (~1 MB of pointers
// per write at 150,000 objects).
import type { KeyValue } from './backend.js';

interface PrefixPage {
  kvs: KeyValue[];
  more: boolean;
}

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

/** Largest chunk; a chunk that grows past it is split in two. */
export const CHUNK = 512;

const less = (a: string, b: string) => a < b;

/** A position: chunk c, index i within it (i may equal the chunk's length only at the very end). */
interface Pos {
  c: number;
  i: number;
}

export function createCurrentIndex(initial: Iterable<KeyValue> = []): CurrentIndex {
  const map = new Map<string, KeyValue>();
  for (const kv of initial) map.set(kv.key, kv);
  const sorted = [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const chunks: string[][] = [];
  for (let i = 0; i < sorted.length; i += CHUNK / 2) chunks.push(sorted.slice(i, i + CHUNK / 2));

  /** The chunk that holds `k` or would hold it: the last chunk whose first key is <= k (0 if none). */
  const chunkOf = (k: string): number => {
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (less(k, (chunks[mid] as string[])[0] as string)) hi = mid - 1;
      else lo = mid;
    }
    return lo;
  };
  const within = (keys: string[], k: string): number => {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (less(keys[mid] as string, k)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  /** Position of the first key >= k. */
  const lowerBound = (k: string): Pos => {
    if (chunks.length === 0) return { c: 0, i: 0 };
    const c = chunkOf(k);
    const keys = chunks[c] as string[];
    const i = within(keys, k);
    return i === keys.length && c + 1 < chunks.length ? { c: c + 1, i: 0 } : { c, i };
  };
  const keyAt = (p: Pos): string | undefined => chunks[p.c]?.[p.i];
  const advance = (p: Pos): void => {
    p.i++;
    if (p.i >= (chunks[p.c]?.length ?? 0) && p.c + 1 < chunks.length) {
      p.c++;
      p.i = 0;
    }
  };
  /** Number of keys before position p. */
  const rank = (p: Pos): number => {
    let n = p.i;
    for (let c = 0; c < p.c; c++) n += (chunks[c] as string[]).length;
    return n;
  };
  /** The first string after every string that starts with `prefix` ('' when there is none). */
  const afterPrefix = (prefix: string): string | undefined => {
    for (let end = prefix.length; end > 0; end--) {
      const code = prefix.charCodeAt(end - 1);
      if (code < 0xffff) return prefix.slice(0, end - 1) + String.fromCharCode(code + 1);
    }
    return undefined;
  };

  return {
    get size() {
      return map.size;
    },
    get: (key) => map.get(key),
    put(kv) {
      if (!map.has(kv.key)) {
        if (chunks.length === 0) chunks.push([kv.key]);
        else {
          const c = chunkOf(kv.key);
          const keys = chunks[c] as string[];
          keys.splice(within(keys, kv.key), 0, kv.key);
          if (keys.length > CHUNK) chunks.splice(c + 1, 0, keys.splice(CHUNK / 2));
        }
      }
      map.set(kv.key, kv);
    },
    remove(key) {
      if (!map.delete(key)) return;
      const c = chunkOf(key);
      const keys = chunks[c] as string[];
      const i = within(keys, key);
      if (keys[i] !== key) return;
      keys.splice(i, 1);
      if (keys.length === 0) chunks.splice(c, 1);
    },
    list(prefix, after, limit) {
      const p = lowerBound(after !== undefined && after >= prefix ? after : prefix);
      if (after !== undefined && keyAt(p) === after) advance(p);
      const max = limit && limit > 0 ? limit : Infinity;
      const kvs: KeyValue[] = [];
      for (let k = keyAt(p); k !== undefined && k.startsWith(prefix); advance(p), k = keyAt(p)) {
        if (kvs.length >= max) return { kvs, more: true };
        kvs.push(map.get(k) as KeyValue);
      }
      return { kvs, more: false };
    },
    count(prefix) {
      if (prefix === '') return map.size;
      const upper = afterPrefix(prefix);
      const end = upper === undefined ? map.size : rank(lowerBound(upper));
      return end - rank(lowerBound(prefix));
    },
    *withPrefix(prefix) {
      const p = lowerBound(prefix);
      for (let k = keyAt(p); k !== undefined && k.startsWith(prefix); advance(p), k = keyAt(p)) yield map.get(k) as KeyValue;
    },
  };
}
