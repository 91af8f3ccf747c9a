// Forwarded names through the cache: a hit is served from memory; concurrent misses for the same
// question share one upstream exchange (a burst of identical lookups costs the upstream one query).

import { cacheKey, type DnsCache } from './dns-cache.js';
import type { Forwarder } from './forwarder.js';
import { prepareUpstreamAnswer, type UpstreamAnswer } from './upstream-answer.js';

interface Resolved {
  answer: UpstreamAnswer;
  ageSeconds: number;
  cacheHit: boolean;
}

export interface UpstreamResolver {
  resolve(labels: readonly string[], qtype: number, qclass: number): Promise<Resolved>;
  stats(): { cacheHits: number; cacheMisses: number; cacheEntries: number; upstreamQueries: number; upstreamFailures: number };
}

export function createUpstreamResolver(forwarder: Forwarder, cache: DnsCache): UpstreamResolver {
  const inflight = new Map<string, Promise<UpstreamAnswer>>();
  let hits = 0;
  let misses = 0;
  let queries = 0;
  let failures = 0;

  async function exchange(key: string, labels: readonly string[], qtype: number, qclass: number): Promise<UpstreamAnswer> {
    queries++;
    try {
      const a = prepareUpstreamAnswer(await forwarder.query(labels, qtype, qclass));
      cache.put(key, a);
      return a;
    } catch (e) {
      failures++;
      throw e;
    }
  }

  return {
    async resolve(labels, qtype, qclass) {
      const key = cacheKey(labels, qtype, qclass);
      const hit = cache.get(key);
      if (hit) {
        hits++;
        return { answer: hit.answer, ageSeconds: hit.ageSeconds, cacheHit: true };
      }
      misses++;
      let p = inflight.get(key);
      if (!p) {
        p = exchange(key, labels, qtype, qclass).finally(() => inflight.delete(key));
        inflight.set(key, p);
      }
      return { answer: await p, ageSeconds: 0, cacheHit: false };
    },
    stats: () => ({
      cacheHits: hits,
      cacheMisses: misses,
      cacheEntries: cache.size(),
      upstreamQueries: queries,
      upstreamFailures: failures,
    }),
  };
}
