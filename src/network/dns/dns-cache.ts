// The forwarder's cache: upstream answers by (name, type, class), kept for as long as their TTLs
// allow and no longer, in a bounded map that forgets the least recently used entry first.

import type { Clock } from '../../base/clock.js';
import type { UpstreamAnswer } from './upstream-answer.js';

interface CacheHit {
  answer: UpstreamAnswer;
  /** Whole seconds since it was stored: what to take off its TTLs. */
  ageSeconds: number;
}

export interface DnsCache {
  get(key: string): CacheHit | undefined;
  put(key: string, answer: UpstreamAnswer): void;
  size(): number;
}

/** CoreDNS's cache holds 9984 entries per kind of answer; one bound for both is close enough. */
export const DEFAULT_CACHE_ENTRIES = 10_000;

export function cacheKey(labels: readonly string[], qtype: number, qclass: number): string {
  return `${labels.join('.').toLowerCase()}|${qtype}|${qclass}`;
}

export function createDnsCache(clock: Clock, maxEntries = DEFAULT_CACHE_ENTRIES): DnsCache {
  const entries = new Map<string, { answer: UpstreamAnswer; storedAt: number; expiresAt: number }>();
  return {
    get(key) {
      const e = entries.get(key);
      if (!e) return undefined;
      const now = clock.now();
      entries.delete(key);
      if (now >= e.expiresAt) return undefined;
      entries.set(key, e); // most recently used goes last
      return { answer: e.answer, ageSeconds: Math.floor((now - e.storedAt) / 1000) };
    },
    put(key, answer) {
      if (answer.cacheSeconds <= 0 || maxEntries <= 0) return;
      const now = clock.now();
      entries.delete(key);
      entries.set(key, { answer, storedAt: now, expiresAt: now + answer.cacheSeconds * 1000 });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
    size: () => entries.size,
  };
}
