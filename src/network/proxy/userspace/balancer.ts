// Endpoint choice for one service port's frontend (its cluster IPs, or its node port): round-robin
// over the endpoints, as kube-proxy's userspace mode did, with ClientIP session affinity layered on
// top. Endpoints are replaced in place when the model changes, so listeners and the connections to
// endpoints that stay are untouched; affinity entries pointing at a removed endpoint are forgotten.

import type { Clock } from '../../../base/clock.js';
import type { ProxyEndpoint } from '../model.js';

/** `ip:port` (`[ip]:port` for IPv6): how connections and sessions remember their endpoint. */
export function endpointKey(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

interface Affinity {
  key: string;
  lastUsed: number;
}

export interface Balancer {
  /** Replaces the endpoint list (same order in, same rotation out); keeps what still applies. */
  setEndpoints(endpoints: readonly ProxyEndpoint[], affinityTimeoutSeconds: number | undefined): void;
  /**
   * The endpoint for a new connection or UDP session from clientIP, or undefined when there is none.
   * `retry` says the previous pick could not be reached: affinity is ignored and renewed, as the
   * userspace proxier reset affinity after a failed dial.
   */
  pick(clientIP: string, retry?: boolean): ProxyEndpoint | undefined;
  /** Whether an endpoint with this key is still in the list. */
  has(key: string): boolean;
  size(): number;
}

export function createBalancer(clock: Clock): Balancer {
  let endpoints: ProxyEndpoint[] = [];
  let keys = new Set<string>();
  let next = 0;
  let affinityMs = 0;
  const affinity = new Map<string, Affinity>();

  const byKey = (key: string) => endpoints.find((e) => endpointKey(e) === key);

  return {
    setEndpoints(list, timeoutSeconds) {
      endpoints = [...list];
      keys = new Set(endpoints.map(endpointKey));
      affinityMs = timeoutSeconds && timeoutSeconds > 0 ? timeoutSeconds * 1000 : 0;
      if (next >= endpoints.length) next = 0;
      if (!affinityMs) affinity.clear();
      for (const [ip, a] of affinity) if (!keys.has(a.key)) affinity.delete(ip);
    },
    pick(clientIP, retry = false) {
      if (endpoints.length === 0) return undefined;
      const now = clock.now();
      if (affinityMs && !retry) {
        const a = affinity.get(clientIP);
        if (a && now - a.lastUsed <= affinityMs) {
          const e = byKey(a.key);
          if (e) {
            a.lastUsed = now;
            return e;
          }
        }
      }
      const e = endpoints[next % endpoints.length] as ProxyEndpoint;
      next = (next + 1) % endpoints.length;
      if (affinityMs) {
        affinity.set(clientIP, { key: endpointKey(e), lastUsed: now });
        // Bounded by the clients seen within one timeout; expired entries go when the map grows.
        if (affinity.size > 4096) for (const [ip, x] of affinity) if (now - x.lastUsed > affinityMs) affinity.delete(ip);
      }
      return e;
    },
    has: (key) => keys.has(key),
    size: () => endpoints.length,
  };
}
