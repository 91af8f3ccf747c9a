// Objects every cluster has, created through the API on start-up when missing: the system
// namespaces and the `kubernetes` Service in `default`.

import type { Namespace, Service } from '../api/gen/types.js';
import { namespaceKind } from '../api/kinds/core/namespace.js';
import { serviceKind } from '../api/kinds/core/service.js';
import type { KubeObject } from '../api/object.js';
import type { ResourceClient } from '../client/resource.js';
import type { RestClient } from '../client/rest-client.js';
import { StatusError } from '../base/errors.js';

const NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function ensure<T extends KubeObject>(api: ResourceClient<T>, obj: T): Promise<void> {
  if (await api.getOrUndefined(obj.metadata.name ?? '')) return;
  try {
    await api.create(obj);
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 409)) throw e;
  }
}

export async function bootstrapCluster(client: RestClient, apiPort: number): Promise<void> {
  for (const ns of NAMESPACES) {
    await ensure<Namespace>(client.resource(namespaceKind), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  await ensure<Service>(client.resource(serviceKind).namespace('default'), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      clusterIP: '10.96.0.1',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiPort }],
      sessionAffinity: 'None',
      type: 'ClusterIP',
    },
  });
}
