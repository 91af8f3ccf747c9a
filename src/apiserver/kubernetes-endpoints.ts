// The endpoints of the `kubernetes` Service in `default`: this API server's own address and port, as
// upstream's endpoint reconciler keeps them (an Endpoints object and an EndpointSlice, both named
// `kubernetes`), so that in-cluster clients (KUBERNETES_SERVICE_HOST) reach the API through the
// Service proxy. Kept right every few seconds: a deleted or edited object comes back.
// One server writes one address; several servers sharing a store (HA) need upstream's lease-based
// merge of their addresses, which is not built yet.

import type { EndpointSlice, Endpoints } from '../api/gen/types.js';
import { endpointSliceKind } from '../api/kinds/discovery/endpoint-slice.js';
import { endpointsKind } from '../api/kinds/core/endpoints.js';
import type { RestClient } from '../client/rest-client.js';
import { StatusError } from '../base/errors.js';
import type { Logger } from '../base/log.js';

const NAME = 'kubernetes';
const NAMESPACE = 'default';
const PORT_NAME = 'https';

export interface KubernetesEndpointsOptions {
  client: RestClient;
  /** the address clients reach this server at (IPv4) */
  ip: string;
  port: number;
  log: Logger;
  /** how often the objects are checked (default 10 s) */
  intervalMs?: number;
}

function wantedEndpoints(ip: string, port: number): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: NAME, namespace: NAMESPACE, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip }], ports: [{ name: PORT_NAME, port, protocol: 'TCP' }] }],
  };
}

function wantedSlice(ip: string, port: number): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: NAME, namespace: NAMESPACE, labels: { 'kubernetes.io/service-name': NAME } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    ports: [{ name: PORT_NAME, port, protocol: 'TCP' }],
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Creates or corrects both objects once; true when something was written. */
export async function reconcileKubernetesEndpoints(client: RestClient, ip: string, port: number): Promise<boolean> {
  let wrote = false;
  const eps = client.resource(endpointsKind).namespace(NAMESPACE);
  const want = wantedEndpoints(ip, port);
  const cur = await eps.getOrUndefined(NAME);
  if (!cur) {
    await eps.create(want).catch((e: unknown) => {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    });
    wrote = true;
  } else if (!same(cur.subsets, want.subsets)) {
    await eps.update({ ...cur, subsets: want.subsets ?? [] });
    wrote = true;
  }
  const slices = client.resource(endpointSliceKind).namespace(NAMESPACE);
  const wantSlice = wantedSlice(ip, port);
  const curSlice = await slices.getOrUndefined(NAME);
  if (!curSlice) {
    await slices.create(wantSlice).catch((e: unknown) => {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    });
    wrote = true;
  } else if (
    !same(curSlice.endpoints, wantSlice.endpoints) ||
    !same(curSlice.ports, wantSlice.ports) ||
    curSlice.metadata.labels?.['kubernetes.io/service-name'] !== NAME
  ) {
    await slices.update({
      ...curSlice,
      metadata: { ...curSlice.metadata, labels: { ...curSlice.metadata.labels, 'kubernetes.io/service-name': NAME } },
      endpoints: wantSlice.endpoints,
      ports: wantSlice.ports ?? [],
    });
    wrote = true;
  }
  return wrote;
}

/** Keeps both objects right until stopped. */
export function startKubernetesEndpoints(o: KubernetesEndpointsOptions): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      await reconcileKubernetesEndpoints(o.client, o.ip, o.port);
    } catch (e) {
      o.log.warn('could not write the kubernetes Service endpoints', { error: e instanceof Error ? e.message : String(e) });
    }
    if (!stopped) timer = setTimeout(() => void tick(), o.intervalMs ?? 10_000);
  };
  void tick();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
