// What a listener forwards to: one service port seen through its cluster IPs or through its node
// port (they may have different endpoint lists, as externalTrafficPolicy Local makes them). A
// listener holds a frontend by reference and the backend swaps or updates it on apply, so a
// listener outlives endpoint changes; the frontend also knows the live connections and UDP
// sessions it opened, to close those whose endpoint went away.

import type { Clock } from '../../../base/clock.js';
import type { Logger } from '../../../base/log.js';
import type { ProxyEndpoint } from '../model.js';
import { createBalancer, type Balancer } from './balancer.js';

/** Counters of one service port (both frontends add to the same ones). */
export interface PortCounters {
  /** TCP connections accepted */
  connections: number;
  /** TCP connections reset or UDP datagrams dropped because there was no endpoint */
  noEndpoint: number;
  /** UDP datagrams from clients / back to clients */
  datagramsIn: number;
  datagramsOut: number;
  /** payload bytes client → endpoint and endpoint → client (TCP: of closed connections until stats() adds live ones) */
  bytesIn: number;
  bytesOut: number;
  /** dial failures (each attempt), socket errors, send failures */
  errors: number;
}

export function newCounters(): PortCounters {
  return { connections: 0, noEndpoint: 0, datagramsIn: 0, datagramsOut: 0, bytesIn: 0, bytesOut: 0, errors: 0 };
}

/** A live TCP connection or UDP session. */
export interface Tracked {
  readonly endpoint: string;
  /** bytes moved so far that the counters do not hold yet: [client → endpoint, endpoint → client] */
  pendingBytes(): [number, number];
  close(): void;
}

export interface Frontend {
  readonly id: string;
  readonly kind: 'cluster' | 'node';
  readonly balancer: Balancer;
  readonly counters: PortCounters;
  readonly clock: Clock;
  readonly log: Logger;
  readonly tracked: Set<Tracked>;
  /** New endpoints: closes what is tracked to an endpoint no longer listed, keeps the rest. */
  update(endpoints: readonly ProxyEndpoint[], affinityTimeoutSeconds: number | undefined): void;
  /** The service port went away: closes everything tracked. */
  close(): void;
}

export function createFrontend(id: string, kind: 'cluster' | 'node', counters: PortCounters, clock: Clock, log: Logger): Frontend {
  const balancer = createBalancer(clock);
  const tracked = new Set<Tracked>();
  return {
    id,
    kind,
    balancer,
    counters,
    clock,
    log,
    tracked,
    update(endpoints, timeout) {
      balancer.setEndpoints(endpoints, timeout);
      for (const t of [...tracked]) {
        if (balancer.has(t.endpoint)) continue;
        log.debug('closing connection to removed endpoint', { service: id, endpoint: t.endpoint });
        t.close();
      }
    },
    close() {
      for (const t of [...tracked]) t.close();
    },
  };
}

/** The client's IP as affinity keys it (IPv4-mapped IPv6 addresses from a dual-stack socket unwrapped). */
export function clientIP(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
