// The Endpoints object of a Service: ready pods under `addresses`, others under
// `notReadyAddresses`, grouped into subsets by identical port lists, sorted for stable output.

import type { EndpointAddress, EndpointSubset, Pod, Service } from '../../api/gen/types.js';
import { podEndpoint, portsKey, targetRef, type ResolvedPort } from './pod-endpoints.js';

export function desiredSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const publish = svc.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, { ports: ResolvedPort[]; ready: Map<string, EndpointAddress>; notReady: Map<string, EndpointAddress> }>();
  const hasPorts = (svc.spec?.ports ?? []).length > 0;
  for (const pod of pods) {
    const ep = podEndpoint(svc, pod, publish);
    if (!ep) continue;
    if (hasPorts && ep.ports.length === 0) continue;
    const key = portsKey(ep.ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports: ep.ports, ready: new Map(), notReady: new Map() }));
    const addr: EndpointAddress = { ip: ep.ip, targetRef: targetRef(pod) };
    if (ep.nodeName) addr.nodeName = ep.nodeName;
    const hostname = pod.spec?.hostname;
    if (hostname !== undefined && pod.spec?.subdomain === svc.metadata.name) addr.hostname = hostname;
    (ep.ready ? g.ready : g.notReady).set(ep.ip, addr);
  }
  const byIp = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  const out: EndpointSubset[] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key);
    if (!g) continue;
    const ss: EndpointSubset = {};
    if (g.ready.size > 0) ss.addresses = [...g.ready].sort(byIp).map(([, a]) => a);
    if (g.notReady.size > 0) ss.notReadyAddresses = [...g.notReady].sort(byIp).map(([, a]) => a);
    if (g.ports.length > 0) ss.ports = g.ports.map((p) => ({ ...p }));
    out.push(ss);
  }
  return out;
}
