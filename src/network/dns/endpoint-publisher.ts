// Publishes the cluster DNS server as the endpoint of the `kube-system/kube-dns` Service. Tandem's
// DNS server runs in the control-plane process, not in pods, so no pod selector can find it: the
// publisher makes kube-dns selectorless (kubeadm's Service selects CoreDNS pods; this is the shape
// upstream gives the `kubernetes` Service, whose endpoints the API server writes) and writes:
// - the v1 Endpoints `kube-dns` (what `kubectl get endpoints` shows), labelled to skip mirroring;
// - an EndpointSlice `kube-dns-cluster-dns` with its own managed-by value, which the endpoints
//   controller (it manages only `endpointslice-controller.k8s.io` slices) leaves alone.
// The endpoint is ready while the server runs; stop() marks it not ready (the address stays, so a
// restart flips one condition). The Service's dns and dns-tcp targetPorts are set to the port the
// server listens on, since that is what the service proxy forwards to. Everything is re-checked
// every resync period, so an edit (or a stale controller write at start-up) is undone.

import type { EndpointSlice, Endpoints, Service } from '../../api/gen/types.js';
import { endpointsKind } from '../../api/kinds/core/endpoints.js';
import { serviceKind } from '../../api/kinds/core/service.js';
import { endpointSliceKind } from '../../api/kinds/discovery/endpoint-slice.js';
import { LABEL_ENDPOINTSLICE_MANAGED_BY, LABEL_SERVICE_NAME } from '../../api/well-known.js';
import { realClock, type Clock } from '../../base/clock.js';
import { StatusError } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
import type { RestClient } from '../../client/rest-client.js';

const DNS_NAMESPACE = 'kube-system';
const DNS_SERVICE = 'kube-dns';
const SLICE_NAME = 'kube-dns-cluster-dns';
/** Our value of endpointslice.kubernetes.io/managed-by. */
const DNS_SLICE_MANAGER = 'cluster-dns.tandem.dev';
const SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
/** The Service port names (kubeadm's) that the DNS server answers on. */
const DNS_PORTS = [
  { name: 'dns', protocol: 'UDP' },
  { name: 'dns-tcp', protocol: 'TCP' },
] as const;

interface DnsEndpoint {
  /** the address pods reach the server at (a host address, never loopback) */
  ip: string;
  /** the port of both UDP and TCP */
  port: number;
  ready: boolean;
}

/** The Service as the publisher wants it, or undefined when it is so already. */
function desiredService(svc: Service, port: number): Service | undefined {
  const spec = svc.spec ?? {};
  const ports = (spec.ports ?? []).map((p) => (DNS_PORTS.some((d) => d.name === p.name) ? { ...p, targetPort: port } : p));
  const changed = spec.selector !== undefined || JSON.stringify(ports) !== JSON.stringify(spec.ports ?? []);
  if (!changed) return undefined;
  const { selector: _dropped, ...rest } = spec;
  return { ...svc, spec: { ...rest, ports } };
}

function desiredEndpoints(svc: Service, ep: DnsEndpoint): Endpoints {
  const address = [{ ip: ep.ip }];
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: DNS_SERVICE, namespace: DNS_NAMESPACE, labels: { ...(svc.metadata.labels ?? {}), [SKIP_MIRROR]: 'true' } },
    subsets: [
      {
        ...(ep.ready ? { addresses: address } : { notReadyAddresses: address }),
        ports: DNS_PORTS.map((p) => ({ name: p.name, port: ep.port, protocol: p.protocol })),
      },
    ],
  };
}

function desiredSlice(svc: Service, ep: DnsEndpoint): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: SLICE_NAME,
      namespace: DNS_NAMESPACE,
      labels: { [LABEL_SERVICE_NAME]: DNS_SERVICE, [LABEL_ENDPOINTSLICE_MANAGED_BY]: DNS_SLICE_MANAGER },
      ...(svc.metadata.uid
        ? {
            ownerReferences: [
              { apiVersion: 'v1', kind: 'Service', name: DNS_SERVICE, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true },
            ],
          }
        : {}),
    },
    addressType: ep.ip.includes(':') ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [ep.ip], conditions: { ready: ep.ready, serving: ep.ready, terminating: false } }],
    ports: DNS_PORTS.map((p) => ({ name: p.name, port: ep.port, protocol: p.protocol })),
  };
}

/** Whether `cur` already says what `want` says (labels we set, owners, and the payload). */
function sameEndpoints(cur: Endpoints, want: Endpoints): boolean {
  return (
    JSON.stringify(cur.subsets ?? []) === JSON.stringify(want.subsets) &&
    Object.entries(want.metadata.labels ?? {}).every(([k, v]) => cur.metadata.labels?.[k] === v)
  );
}
function sameSlice(cur: EndpointSlice, want: EndpointSlice): boolean {
  return (
    JSON.stringify([cur.endpoints, cur.ports, cur.addressType]) === JSON.stringify([want.endpoints, want.ports, want.addressType]) &&
    Object.entries(want.metadata.labels ?? {}).every(([k, v]) => cur.metadata.labels?.[k] === v) &&
    JSON.stringify(cur.metadata.ownerReferences ?? []) === JSON.stringify(want.metadata.ownerReferences ?? [])
  );
}

export interface DnsEndpointPublisherOptions {
  client: RestClient;
  ip: string;
  port: number;
  log: Logger;
  /** how often the objects are checked again (default 10 s) */
  resyncMs?: number;
  clock?: Clock;
}

export interface DnsEndpointPublisher {
  /** Resolves after the first successful write (rejects never: failures are logged and retried). */
  ready(): Promise<void>;
  /** Marks the endpoint not ready and stops re-checking. */
  stop(): Promise<void>;
}

export function startDnsEndpointPublisher(o: DnsEndpointPublisherOptions): DnsEndpointPublisher {
  const clock = o.clock ?? realClock;
  const resyncMs = o.resyncMs ?? 10_000;
  const log = o.log;
  const services = o.client.resource(serviceKind).namespace(DNS_NAMESPACE);
  const endpoints = o.client.resource(endpointsKind).namespace(DNS_NAMESPACE);
  const slices = o.client.resource(endpointSliceKind).namespace(DNS_NAMESPACE);
  let ready = true;
  let stopped = false;
  let cancel: (() => void) | undefined;
  let running: Promise<void> = Promise.resolve();
  let markPublished: () => void = () => undefined;
  const published = new Promise<void>((r) => (markPublished = r));

  async function reconcile(): Promise<void> {
    let svc = await services.getOrUndefined(DNS_SERVICE);
    if (!svc) {
      log.warn(`service ${DNS_NAMESPACE}/${DNS_SERVICE} is missing: pods cannot reach the cluster DNS until it is back`);
      return;
    }
    const svcWant = desiredService(svc, o.port);
    if (svcWant) svc = await services.update(svcWant);
    const ep: DnsEndpoint = { ip: o.ip, port: o.port, ready };
    const epWant = desiredEndpoints(svc, ep);
    const epCur = await endpoints.getOrUndefined(DNS_SERVICE);
    if (!epCur) await endpoints.create(epWant);
    else if (!sameEndpoints(epCur, epWant))
      await endpoints.update({
        ...epCur,
        metadata: { ...epCur.metadata, labels: { ...(epCur.metadata.labels ?? {}), ...epWant.metadata.labels } },
        subsets: epWant.subsets ?? [],
      });
    const slWant = desiredSlice(svc, ep);
    const slCur = await slices.getOrUndefined(SLICE_NAME);
    if (!slCur) await slices.create(slWant);
    else if (!sameSlice(slCur, slWant))
      await slices.update({
        ...slWant,
        metadata: { ...slCur.metadata, ...slWant.metadata, labels: { ...(slCur.metadata.labels ?? {}), ...slWant.metadata.labels } },
      });
    markPublished();
  }

  const run = (): Promise<void> =>
    (running = running.then(() =>
      reconcile().catch((e: unknown) => {
        // a conflict means someone wrote in between: the next round reads again
        const level = e instanceof StatusError && e.code === 409 ? 'debug' : 'warn';
        log[level]('cluster DNS endpoint not published', { error: e instanceof Error ? e.message : String(e) });
      }),
    ));
  // the second round comes soon: at start-up the endpoints controller may still act on the
  // Service as it was before the selector went, and overwrite the Endpoints once
  let rounds = 0;
  const loop = () => {
    if (stopped) return;
    void run().then(() => {
      if (!stopped) cancel = clock.schedule(loop, rounds++ === 0 ? Math.min(1000, resyncMs) : resyncMs);
    });
  };
  loop();

  return {
    ready: () => published,
    async stop() {
      if (stopped) return;
      stopped = true;
      cancel?.();
      ready = false;
      await run();
    },
  };
}
