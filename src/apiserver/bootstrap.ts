// Objects every cluster has, created through the API on start-up when missing: the system
// namespaces, the `kubernetes` Service in `default`, and the RuntimeClasses of a mixed fleet.
// An object that exists is left as it is (a user may have edited it); one that was deleted comes
// back at the next start, as upstream's system priority classes do.

import type { Namespace, RuntimeClass, Service } from '../api/gen/types.js';
import { namespaceKind } from '../api/kinds/core/namespace.js';
import { serviceKind } from '../api/kinds/core/service.js';
import { runtimeClassKind } from '../api/kinds/node/runtime-class.js';
import { HANDLER_PROCESS, HANDLER_WINDOWS_HYPERV, HANDLER_WINDOWS_PROCESS, LABEL_OS } from '../api/well-known.js';
import type { KubeObject } from '../api/object.js';
import type { ResourceClient } from '../client/resource.js';
import type { RestClient } from '../client/rest-client.js';
import { StatusError } from '../base/errors.js';

const NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const runtimeClass = (handler: string, nodeSelector?: Record<string, string>): RuntimeClass => ({
  apiVersion: 'node.k8s.io/v1',
  kind: 'RuntimeClass',
  metadata: { name: handler },
  handler,
  ...(nodeSelector ? { scheduling: { nodeSelector } } : {}),
});

/**
 * One class per handler Tandem's nodes advertise beyond the default container runtime: `process`
 * (native processes, on any OS that runs the agent) and the two Windows isolations of containerd,
 * which only Windows nodes offer.
 */
const DEFAULT_RUNTIME_CLASSES: readonly RuntimeClass[] = [
  runtimeClass(HANDLER_PROCESS),
  runtimeClass(HANDLER_WINDOWS_PROCESS, { [LABEL_OS]: 'windows' }),
  runtimeClass(HANDLER_WINDOWS_HYPERV, { [LABEL_OS]: 'windows' }),
];

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
  for (const rc of DEFAULT_RUNTIME_CLASSES) await ensure<RuntimeClass>(client.resource(runtimeClassKind), structuredClone(rc));
}
