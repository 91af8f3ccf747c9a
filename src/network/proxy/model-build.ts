// From Services and EndpointSlices to what a node's proxy programs (model.ts), deciding as
// kube-proxy does (pkg/proxy: the service and endpoint-slice change trackers, CategorizeEndpoints):
// headless and ExternalName Services are left alone; a Service port takes the endpoints of every
// EndpointSlice labelled with its name whose port has the same name and protocol; ready endpoints
// are used, serving-and-terminating ones only when none is ready; the Local traffic policies keep
// this node's endpoints only (with the same fallback among them). Pure, so it is tested by tables.

import type { EndpointSlice, Service } from '../../api/gen/types.js';
import { LABEL_SERVICE_NAME } from '../../api/well-known.js';
import type { L4Protocol, ProxyEndpoint, ProxyServicePort } from './model.js';

/** kube-proxy's default sessionAffinityConfig.clientIP.timeoutSeconds (three hours). */
const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

interface Candidate extends ProxyEndpoint {
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

const protocolOf = (p: string | undefined): L4Protocol | undefined =>
  p === undefined || p === 'TCP' ? 'TCP' : p === 'UDP' || p === 'SCTP' ? p : undefined;

/** The Service's cluster IPs, or none when the proxy leaves it alone (headless, ExternalName, not yet allocated). */
function proxiedIPs(svc: Service): string[] {
  const spec = svc.spec;
  if (!spec || spec.type === 'ExternalName') return [];
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  return ips.filter((ip) => ip !== '' && ip !== 'None');
}

const isIPv6 = (ip: string) => ip.includes(':');

/** Endpoints of one Service port across its slices, deduplicated by ip:port (a local copy wins, as upstream). */
function candidates(slices: readonly EndpointSlice[], portName: string, protocol: L4Protocol, nodeName: string): Candidate[] {
  const byKey = new Map<string, Candidate>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === portName && protocolOf(p.protocol) === protocol);
    if (!port?.port) continue;
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!ip) continue;
      const c: Candidate = {
        ip,
        port: port.port,
        local: nodeName !== '' && ep.nodeName === nodeName,
        // absent conditions mean ready and serving, not terminating (EndpointSlice API semantics)
        ready: ep.conditions?.ready ?? true,
        serving: ep.conditions?.serving ?? true,
        terminating: ep.conditions?.terminating ?? false,
      };
      const key = `${ip}:${port.port}`;
      if (!byKey.has(key) || c.local) byKey.set(key, c);
    }
  }
  return [...byKey.values()].sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
}

/** Ready ones; when there are none, serving-and-terminating ones (upstream's terminating fallback). */
function usable(eps: readonly Candidate[]): ProxyEndpoint[] {
  const ready = eps.filter((e) => e.ready);
  const chosen = ready.length > 0 ? ready : eps.filter((e) => e.serving && e.terminating);
  return chosen.map(({ ip, port, local }) => ({ ip, port, local }));
}

/**
 * The service ports this node proxies. `slices` may hold any EndpointSlices; those without the
 * service-name label, or of another namespace, are ignored.
 */
export function buildServicePorts(services: readonly Service[], slices: readonly EndpointSlice[], nodeName: string): ProxyServicePort[] {
  const slicesOf = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata.labels?.[LABEL_SERVICE_NAME];
    if (!svc || !s.metadata.namespace) continue;
    const key = `${s.metadata.namespace}/${svc}`;
    const list = slicesOf.get(key);
    if (list) list.push(s);
    else slicesOf.set(key, [s]);
  }
  const out: ProxyServicePort[] = [];
  for (const svc of services) {
    const clusterIPs = proxiedIPs(svc);
    const namespace = svc.metadata.namespace ?? '';
    const name = svc.metadata.name ?? '';
    if (clusterIPs.length === 0 || !name) continue;
    const spec = svc.spec ?? {};
    const nodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    const affinity =
      spec.sessionAffinity === 'ClientIP'
        ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS)
        : undefined;
    const svcSlices = slicesOf.get(`${namespace}/${name}`) ?? [];
    for (const p of spec.ports ?? []) {
      const protocol = protocolOf(p.protocol);
      if (!protocol || !p.port) continue;
      const portName = p.name ?? '';
      const all = candidates(svcSlices, portName, protocol, nodeName);
      // endpoints of the family the Service serves (a dual-stack Service keeps both)
      const families = new Set(clusterIPs.map(isIPv6));
      const eps = all.filter((e) => families.has(isIPv6(e.ip)));
      const cluster = usable(eps);
      const local = usable(eps.filter((e) => e.local));
      out.push({
        id: `${namespace}/${name}:${portName}`,
        namespace,
        name,
        portName,
        protocol,
        clusterIPs: [...clusterIPs],
        port: p.port,
        ...(nodePorts && p.nodePort ? { nodePort: p.nodePort } : {}),
        ...(affinity !== undefined ? { affinityTimeoutSeconds: affinity } : {}),
        clusterEndpoints: spec.internalTrafficPolicy === 'Local' ? local : cluster,
        nodePortEndpoints: spec.externalTrafficPolicy === 'Local' ? local : cluster,
      });
    }
  }
  return out.sort((a, b) => (a.id === b.id ? (a.protocol < b.protocol ? -1 : 1) : a.id < b.id ? -1 : 1));
}
