// Objects every cluster has, created through the API on start-up when missing: the system
// namespaces, the `kubernetes` Service in `default` (the first address of the Service range), the
// `kube-dns` Service in `kube-system` (the tenth, as kubeadm does; its endpoints are the cluster DNS
// server's), the RuntimeClasses of a mixed fleet and the two system PriorityClasses. An object that exists is left as it is (a user
// may have edited it); one that was deleted comes back at the next start, as upstream's system
// priority classes do.

import type { Namespace, PriorityClass, RuntimeClass, Service } from '../api/gen/types.js';
import { namespaceKind } from '../api/kinds/core/namespace.js';
import { serviceKind } from '../api/kinds/core/service.js';
import { runtimeClassKind } from '../api/kinds/node/runtime-class.js';
import { storageClassKind } from '../api/kinds/storage/storage-class.js';
import { localPathClass } from '../api/storage/local-path.js';
import { priorityClassKind, SYSTEM_PRIORITY_CLASSES } from '../api/kinds/scheduling/priorityclass.js';
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

/** The Service addresses bootstrap uses (ServiceAllocator.wellKnown). */
export interface WellKnownServiceIps {
  apiserver: string;
  dns: string;
}

export async function bootstrapCluster(
  client: RestClient,
  apiPort: number,
  ips: WellKnownServiceIps = { apiserver: '10.96.0.1', dns: '10.96.0.10' },
): Promise<void> {
  for (const ns of NAMESPACES) {
    await ensure<Namespace>(client.resource(namespaceKind), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  await ensure<Service>(client.resource(serviceKind).namespace('default'), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      clusterIP: ips.apiserver,
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiPort }],
      sessionAffinity: 'None',
      type: 'ClusterIP',
    },
  });
  await ensure<Service>(client.resource(serviceKind).namespace('kube-system'), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kube-dns',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      clusterIP: ips.dns,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
      selector: { 'k8s-app': 'kube-dns' },
      sessionAffinity: 'None',
      type: 'ClusterIP',
    },
  });
  for (const rc of DEFAULT_RUNTIME_CLASSES) await ensure<RuntimeClass>(client.resource(runtimeClassKind), structuredClone(rc));
  // the built-in local-path provisioner's class, the default for claims that name none
  await ensure(client.resource(storageClassKind), localPathClass());
  for (const pc of SYSTEM_PRIORITY_CLASSES) await ensure<PriorityClass>(client.resource(priorityClassKind), structuredClone(pc));
}
