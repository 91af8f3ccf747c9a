// Objects every cluster has, created through the API on start-up when missing: the system
// namespaces and the `kubernetes` Service in `default`.

import type { RestClient } from '../client/rest-client.js';
import { StatusError } from '../base/errors.js';

const NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function ensure(client: RestClient, path: string, collection: string, body: unknown): Promise<void> {
  if (await client.getOrUndefined(path)) return;
  try {
    await client.request('POST', collection, body);
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 409)) throw e;
  }
}

export async function bootstrapCluster(client: RestClient, apiPort: number): Promise<void> {
  for (const ns of NAMESPACES) {
    await ensure(client, `/api/v1/namespaces/${ns}`, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  await ensure(client, '/api/v1/namespaces/default/services/kubernetes', '/api/v1/namespaces/default/services', {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiPort }], sessionAffinity: 'None', type: 'ClusterIP' },
  });
}
