// The endpoints of the `kubernetes` Service in `default`, as upstream's lease endpoint reconciler keeps
// them (an Endpoints object and an EndpointSlice, both named `kubernetes`): the address of every live
// API server on the store, so that in-cluster clients (KUBERNETES_SERVICE_HOST) reach one through the
// Service proxy and clients that fail over find the others. Each server publishes its own address in
// its identity Lease (apiserver-identity.ts) and, every 10 s, writes the union of the addresses whose
// Lease was renewed within upstream's 15 s endpoint TTL; a stopping server deletes its Lease and
// writes the set without itself. Every server computes the same set from the store, so they agree
// instead of taking turns. Kept right every period: a deleted or edited object comes back.

import { hostname as osHostname } from 'node:os';
import type { EndpointSlice, Endpoints, Lease } from '../api/gen/types.js';
import { endpointSliceKind } from '../api/kinds/discovery/endpoint-slice.js';
import { endpointsKind } from '../api/kinds/core/endpoints.js';
import { leaseKind } from '../api/kinds/coordination/lease.js';
import type { RestClient } from '../client/rest-client.js';
import { StatusError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import {
  ENDPOINT_ANNOTATION,
  IDENTITY_LABEL,
  IDENTITY_NAMESPACE,
  IDENTITY_VALUE,
  leaseExpiry,
  startIdentityLease,
} from './apiserver-identity.js';

const NAME = 'kubernetes';
const NAMESPACE = 'default';
const PORT_NAME = 'https';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** upstream's DefaultEndpointReconcilerTTL: an address whose Lease was not renewed for this long is dropped */
const ENDPOINT_TTL_MS = 15_000;

interface ApiEndpoint {
  ip: string;
  port: number;
}

export interface KubernetesEndpointsOptions {
  client: RestClient;
  /** the address clients reach this server at (IPv4) */
  ip: string;
  port: number;
  log: Logger;
  /** how often the objects are checked and the identity Lease renewed (default 10 s, upstream's) */
  intervalMs?: number;
  /** the host name in the identity Lease (default the OS's) */
  hostname?: string;
  now?: () => number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** `IP:PORT` of an identity Lease's annotation, or undefined when missing or malformed. */
function parseEndpoint(text: string | undefined): ApiEndpoint | undefined {
  const m = /^(.+):(\d{1,5})$/.exec(text ?? '');
  if (!m?.[1] || !IPV4.test(m[1])) return undefined;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { ip: m[1], port } : undefined;
}

const ipOrder = (ip: string) => (IPV4.exec(ip) ?? []).slice(1).reduce((n, o) => n * 256 + Number(o), 0);

/**
 * The addresses to publish: those of identity Leases renewed within the TTL, plus `self` (a server
 * always lists itself, also before its first Lease is written), minus `without` (a stopping server).
 */
function liveEndpoints(leases: readonly Lease[], now: number, self?: ApiEndpoint, without?: ApiEndpoint): ApiEndpoint[] {
  const out = new Map<string, ApiEndpoint>();
  for (const l of leases) {
    const ep = parseEndpoint(l.metadata.annotations?.[ENDPOINT_ANNOTATION]);
    const renewed = l.spec?.renewTime ? Date.parse(l.spec.renewTime) : NaN;
    if (!ep || !(renewed + ENDPOINT_TTL_MS >= now) || leaseExpiry(l) < now) continue;
    out.set(`${ep.ip}:${ep.port}`, ep);
  }
  if (self) out.set(`${self.ip}:${self.port}`, self);
  if (without) out.delete(`${without.ip}:${without.port}`);
  return [...out.values()];
}

/** Addresses grouped by port (servers on one machine in tests differ by port), ports and addresses in order. */
function byPort(eps: readonly ApiEndpoint[]): Array<{ port: number; ips: string[] }> {
  const groups = new Map<number, string[]>();
  for (const e of eps) groups.set(e.port, [...(groups.get(e.port) ?? []), e.ip]);
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([port, ips]) => ({ port, ips: ips.sort((a, b) => ipOrder(a) - ipOrder(b)) }));
}

const ports = (port: number) => [{ name: PORT_NAME, port, protocol: 'TCP' }];

function wantedEndpoints(groups: ReturnType<typeof byPort>): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: NAME, namespace: NAMESPACE, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: groups.map((g) => ({ addresses: g.ips.map((ip) => ({ ip })), ports: ports(g.port) })),
  };
}

/** One slice per port: the first is `kubernetes` (the only one when every server uses one port, as in production). */
function wantedSlices(groups: ReturnType<typeof byPort>): EndpointSlice[] {
  const list = groups.length ? groups : [{ port: 0, ips: [] }];
  return list.map((g, i) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: i === 0 ? NAME : `${NAME}-${g.port}`, namespace: NAMESPACE, labels: { [SERVICE_NAME_LABEL]: NAME } },
    addressType: 'IPv4',
    endpoints: g.ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: g.port ? ports(g.port) : [],
  }));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const ignoreConflict = (e: unknown) => {
  if (!(e instanceof StatusError && (e.code === 409 || e.code === 404))) throw e;
};

async function writeEndpoints(client: RestClient, want: Endpoints): Promise<boolean> {
  const eps = client.resource(endpointsKind).namespace(NAMESPACE);
  const cur = await eps.getOrUndefined(NAME);
  if (!cur) {
    await eps.create(want).catch(ignoreConflict);
    return true;
  }
  if (same(cur.subsets ?? [], want.subsets)) return false;
  // another server writing meanwhile answers 409: its set is as good, the next period checks again
  await eps.update({ ...cur, subsets: want.subsets ?? [] }).catch(ignoreConflict);
  return true;
}

async function writeSlices(client: RestClient, want: EndpointSlice[]): Promise<boolean> {
  let wrote = false;
  const slices = client.resource(endpointSliceKind).namespace(NAMESPACE);
  for (const w of want) {
    const cur = await slices.getOrUndefined(w.metadata.name ?? '');
    if (!cur) {
      await slices.create(w).catch(ignoreConflict);
      wrote = true;
    } else if (!same(cur.endpoints, w.endpoints) || !same(cur.ports ?? [], w.ports) || cur.metadata.labels?.[SERVICE_NAME_LABEL] !== NAME) {
      await slices
        .update({
          ...cur,
          metadata: { ...cur.metadata, labels: { ...cur.metadata.labels, [SERVICE_NAME_LABEL]: NAME } },
          endpoints: w.endpoints,
          ports: w.ports ?? [],
        })
        .catch(ignoreConflict);
      wrote = true;
    }
  }
  // the slices of a port no server uses any more
  const names = new Set(want.map((w) => w.metadata.name));
  const { items } = await slices.list({ labelSelector: `${SERVICE_NAME_LABEL}=${NAME}` });
  for (const s of items) {
    const n = s.metadata.name ?? '';
    if (names.has(n) || !/^kubernetes-\d+$/.test(n)) continue;
    await slices.delete(n).catch(ignoreConflict);
    wrote = true;
  }
  return wrote;
}

/**
 * Creates or corrects both objects once from the identity Leases in the store, with this server
 * (`ip`:`port`) in them unless `leaving`; true when something was written.
 */
export async function reconcileKubernetesEndpoints(
  client: RestClient,
  ip: string,
  port: number,
  o: { now?: number; leaving?: boolean } = {},
): Promise<boolean> {
  const { items } = await client
    .resource(leaseKind)
    .namespace(IDENTITY_NAMESPACE)
    .list({ labelSelector: `${IDENTITY_LABEL}=${IDENTITY_VALUE}` });
  const self = { ip, port };
  const groups = byPort(liveEndpoints(items, o.now ?? Date.now(), o.leaving ? undefined : self, o.leaving ? self : undefined));
  const a = await writeEndpoints(client, wantedEndpoints(groups));
  const b = await writeSlices(client, wantedSlices(groups));
  return a || b;
}

/** Keeps this server's identity Lease and both objects right until stopped; stopping takes this server out of them. */
export function startKubernetesEndpoints(o: KubernetesEndpointsOptions): { stop(): Promise<void> } {
  const now = o.now ?? Date.now;
  const interval = o.intervalMs ?? 10_000;
  const identity = startIdentityLease({
    client: o.client,
    hostname: o.hostname ?? osHostname(),
    endpoint: `${o.ip}:${o.port}`,
    log: o.log,
    now,
    renewMs: interval,
  });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const tick = async () => {
    running = reconcileKubernetesEndpoints(o.client, o.ip, o.port, { now: now() });
    try {
      await running;
    } catch (e) {
      o.log.warn('could not write the kubernetes Service endpoints', { error: e instanceof Error ? e.message : String(e) });
    }
    running = undefined;
    if (!stopped) timer = setTimeout(() => void tick(), interval);
  };
  void tick();
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
      await identity.stop();
      await reconcileKubernetesEndpoints(o.client, o.ip, o.port, { now: now(), leaving: true }).catch((e: unknown) =>
        o.log.warn('could not remove this server from the kubernetes Service endpoints', { error: String(e) }),
      );
    },
  };
}
