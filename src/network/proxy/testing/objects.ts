// Builders of the Services and EndpointSlices the proxy's tests feed it.

import type { Endpoint, EndpointSlice, Service, ServiceSpec } from '../../../api/gen/types.js';
import { LABEL_SERVICE_NAME } from '../../../api/well-known.js';

export function service(namespace: string, name: string, spec: Partial<ServiceSpec> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace, name },
    spec: { type: 'ClusterIP', ...spec, ports: (spec.ports ?? []).map((p) => ({ protocol: 'TCP', ...p })) },
  };
}

export function endpointSlice(
  namespace: string,
  svc: string,
  name: string,
  endpoints: Array<Partial<Endpoint> & { ip: string }>,
  ports: Array<{ name?: string; port: number; protocol?: string }>,
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name, labels: { [LABEL_SERVICE_NAME]: svc } },
    addressType: 'IPv4',
    endpoints: endpoints.map(({ ip, ...rest }) => ({ addresses: [ip], ...rest })),
    ports: ports.map((p) => ({ name: '', protocol: 'TCP', ...p })),
  };
}
