// The DnsSource over shared informers: Services indexed by cluster IP, EndpointSlices by their
// service (the kubernetes.io/service-name label) and by endpoint address, Pods by IP only when
// `verified` pod mode needs them (CoreDNS watches pods only then: the pod watch is the costly one).
// Index names carry a `dns-` prefix because the informers are shared with other components.

import type { EndpointSlice, Pod, Service } from '../../api/gen/types.js';
import { endpointSliceKind } from '../../api/kinds/discovery/endpoint-slice.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { serviceKind } from '../../api/kinds/core/service.js';
import { LABEL_SERVICE_NAME } from '../../api/well-known.js';
import type { Clock } from '../../base/clock.js';
import type { Informer } from '../../client/informer.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import { canonicalIp } from './names.js';
import type { DnsSource } from './source.js';

const BY_IP = 'dns-ip';
const BY_SERVICE = 'dns-service';

const serviceIps = (s: Service): string[] => {
  const ips = s.spec?.clusterIPs?.length ? s.spec.clusterIPs : s.spec?.clusterIP ? [s.spec.clusterIP] : [];
  return ips.filter((ip) => ip !== 'None').map(canonicalIp);
};
const sliceService = (s: EndpointSlice): string[] => {
  const svc = s.metadata.labels?.[LABEL_SERVICE_NAME];
  return svc && s.metadata.namespace ? [`${s.metadata.namespace}/${svc}`] : [];
};
const sliceIps = (s: EndpointSlice): string[] => [...new Set((s.endpoints ?? []).flatMap((e) => (e.addresses ?? []).map(canonicalIp)))];
const podIps = (p: Pod): string[] => {
  const ips = p.status?.podIPs?.map((x) => x.ip) ?? (p.status?.podIP ? [p.status.podIP] : []);
  return ips.map(canonicalIp);
};

export interface InformerSource extends DnsSource {
  whenSynced(): Promise<void>;
}

export function createInformerSource(informers: InformerFactory, clock: Clock, verifiedPods: boolean): InformerSource {
  const services = informers.for(serviceKind, { indexers: { [BY_IP]: serviceIps } });
  const slices = informers.for(endpointSliceKind, { indexers: { [BY_SERVICE]: sliceService, [BY_IP]: sliceIps } });
  const pods = verifiedPods ? informers.for(podKind, { indexers: { [BY_IP]: podIps } }) : undefined;
  const all: Informer<Service | EndpointSlice | Pod>[] = [services, slices];
  let modified = Math.floor(clock.now() / 1000);
  const touch = () => {
    modified = Math.floor(clock.now() / 1000);
  };
  for (const inf of [services, slices] as Informer<Service | EndpointSlice>[])
    inf.addHandlers({ onAdd: touch, onUpdate: touch, onDelete: touch });
  if (pods) all.push(pods as Informer<Service | EndpointSlice | Pod>);

  return {
    service: (ns, name) => services.get(`${ns}/${name}`),
    endpointSlices: (ns, name) => slices.byIndex(BY_SERVICE, `${ns}/${name}`),
    servicesByIp: (ip) => services.byIndex(BY_IP, ip),
    slicesByIp: (ip) => slices.byIndex(BY_IP, ip),
    podsByIp: (ip) => pods?.byIndex(BY_IP, ip) ?? [],
    hasSynced: () => all.every((i) => i.hasSynced()),
    modified: () => modified,
    whenSynced: async () => {
      await Promise.all(all.map((i) => i.whenSynced()));
    },
  };
}
