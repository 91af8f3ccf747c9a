// An in-memory DnsSource for tests and the benchmark: objects go in with put/remove, indexes are
// rebuilt on the first read after a change. Builders for the Services and EndpointSlices tests need.

import type { EndpointSlice, Pod, Service, ServicePort } from '../../../api/gen/types.js';
import { LABEL_SERVICE_NAME } from '../../../api/well-known.js';
import { canonicalIp } from '../names.js';
import type { DnsSource } from '../source.js';

type Obj = Service | EndpointSlice | Pod;

export interface FakeSource extends DnsSource {
  put(...objs: Obj[]): void;
  remove(obj: Obj): void;
  setSynced(synced: boolean): void;
}

const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
const push = <T>(m: Map<string, T[]>, k: string, v: T) => {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
};

export function createFakeSource(objs: Obj[] = [], modified = 1_700_000_000): FakeSource {
  const all = new Map<string, Obj>();
  let synced = true;
  let dirty = true;
  let mod = modified;
  let idx = {
    svc: new Map<string, Service>(),
    svcIp: new Map<string, Service[]>(),
    slices: new Map<string, EndpointSlice[]>(),
    sliceIp: new Map<string, EndpointSlice[]>(),
    podIp: new Map<string, Pod[]>(),
  };
  const index = () => {
    if (!dirty) return idx;
    dirty = false;
    idx = { svc: new Map(), svcIp: new Map(), slices: new Map(), sliceIp: new Map(), podIp: new Map() };
    for (const o of all.values()) {
      const ns = o.metadata.namespace ?? '';
      if (o.kind === 'Service') {
        const s = o as Service;
        idx.svc.set(`${ns}/${s.metadata.name}`, s);
        for (const ip of s.spec?.clusterIPs ?? (s.spec?.clusterIP ? [s.spec.clusterIP] : []))
          if (ip !== 'None') push(idx.svcIp, canonicalIp(ip), s);
      } else if (o.kind === 'EndpointSlice') {
        const s = o as EndpointSlice;
        const svc = s.metadata.labels?.[LABEL_SERVICE_NAME];
        if (svc) push(idx.slices, `${ns}/${svc}`, s);
        for (const ip of new Set(s.endpoints.flatMap((e) => e.addresses.map(canonicalIp)))) push(idx.sliceIp, ip, s);
      } else {
        const p = o as Pod;
        for (const ip of p.status?.podIPs?.map((x) => x.ip) ?? []) push(idx.podIp, canonicalIp(ip), p);
      }
    }
    return idx;
  };
  const src: FakeSource = {
    service: (ns, name) => index().svc.get(`${ns}/${name}`),
    endpointSlices: (ns, name) => index().slices.get(`${ns}/${name}`) ?? [],
    servicesByIp: (ip) => index().svcIp.get(ip) ?? [],
    slicesByIp: (ip) => index().sliceIp.get(ip) ?? [],
    podsByIp: (ip) => index().podIp.get(ip) ?? [],
    hasSynced: () => synced,
    modified: () => mod,
    put(...os) {
      for (const o of os) all.set(key(o), o);
      dirty = true;
      mod++;
    },
    remove(o) {
      all.delete(key(o));
      dirty = true;
      mod++;
    },
    setSynced(s) {
      synced = s;
    },
  };
  src.put(...objs);
  mod = modified;
  return src;
}

type PortIn = Partial<ServicePort> & { port: number };

export function service(
  namespace: string,
  name: string,
  spec: { clusterIP?: string; clusterIPs?: string[]; ports?: PortIn[]; type?: string; externalName?: string } = {},
): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace, name },
    spec: {
      type: spec.type ?? 'ClusterIP',
      ...(spec.clusterIP !== undefined ? { clusterIP: spec.clusterIP } : {}),
      ...(spec.clusterIPs ? { clusterIPs: spec.clusterIPs } : {}),
      ...(spec.externalName ? { externalName: spec.externalName } : {}),
      ports: (spec.ports ?? []).map((p) => ({ protocol: 'TCP', ...p })),
    },
  };
}

export interface EndpointIn {
  ip: string | string[];
  hostname?: string;
  ready?: boolean;
}

export function endpointSlice(
  namespace: string,
  svc: string,
  endpoints: EndpointIn[],
  ports: Array<{ name?: string; port: number; protocol?: string }> = [],
  suffix = 'a',
  addressType = 'IPv4',
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name: `${svc}-${suffix}`, labels: { [LABEL_SERVICE_NAME]: svc } },
    addressType,
    endpoints: endpoints.map((e) => ({
      addresses: Array.isArray(e.ip) ? e.ip : [e.ip],
      ...(e.hostname ? { hostname: e.hostname } : {}),
      ...(e.ready !== undefined ? { conditions: { ready: e.ready } } : {}),
    })),
    ports: ports.map((p) => ({ protocol: 'TCP', ...p })),
  };
}

export function pod(namespace: string, name: string, ip: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name },
    spec: { containers: [] },
    status: { podIP: ip, podIPs: [{ ip }] },
  };
}
