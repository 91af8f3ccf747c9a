// A mixed Windows fleet for the upgrade planner's tests: builds 17763, 20348 and 26100, some nodes
// with Hyper-V, a Linux node, workloads of every kind the planner groups, and image facts as the
// registry would give them (index entries with full os.version), including one that fails.

import type { Node, OwnerReference, Pod, PodSpec, RuntimeClass } from '../../../api/gen/types.js';
import type { ImageFactsLookup } from '../../../client/registry/image-facts.js';
import type { WorkloadObject } from '../plan-scope.js';

const REVISION: Readonly<Record<string, number>> = { '10.0.17763': 5458, '10.0.20348': 2700, '10.0.26100': 1742 };

export function winNode(
  name: string,
  build: string,
  o: { hyperv?: boolean; labels?: Record<string, string>; unschedulable?: boolean } = {},
): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'windows',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/windows-build': build,
        ...o.labels,
      },
    },
    spec: o.unschedulable ? { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] } : {},
    status: {
      nodeInfo: {
        kernelVersion: `${build}.${REVISION[build] ?? 1}`,
        operatingSystem: 'windows',
        architecture: 'amd64',
        osImage: 'Windows Server',
        bootID: '',
        containerRuntimeVersion: '',
        kubeProxyVersion: '',
        kubeletVersion: '',
        machineID: '',
        systemUUID: '',
      },
      runtimeHandlers: [{ name: 'runhcs-wcow-process' }, { name: '' }, ...(o.hyperv ? [{ name: 'runhcs-wcow-hypervisor' }] : [])],
    },
  };
}

export const linuxNode = (name: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', pool: 'linux' } },
  spec: {},
  status: {},
});

export interface PodOpts {
  ns?: string;
  images?: string[];
  owner?: { kind: string; name: string };
  annotations?: Record<string, string>;
  spec?: Partial<PodSpec>;
  phase?: string;
}

export function winPod(name: string, node: string, o: PodOpts = {}): Pod {
  const ownerReferences: OwnerReference[] | undefined = o.owner
    ? [{ apiVersion: 'apps/v1', kind: o.owner.kind, name: o.owner.name, uid: `uid-${o.owner.name}`, controller: true }]
    : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.ns ?? 'default',
      uid: `uid-${name}`,
      ...(ownerReferences ? { ownerReferences } : {}),
      ...(o.annotations ? { annotations: o.annotations } : {}),
    },
    spec: {
      os: { name: 'windows' },
      nodeName: node,
      containers: (o.images ?? ['example.com/app:1']).map((image, i) => ({ name: `c${i}`, image })),
      ...o.spec,
    },
    status: { phase: o.phase ?? 'Running' },
  };
}

/** A ReplicaSet owned by a Deployment of `deployment` (when given), whose template carries `annotations`. */
export function replicaSet(name: string, deployment?: string, annotations?: Record<string, string>, ns = 'default'): WorkloadObject {
  return {
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: ns,
      uid: `uid-${name}`,
      ...(deployment
        ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment, uid: `uid-${deployment}`, controller: true }] }
        : {}),
    },
    spec: { template: { metadata: annotations ? { annotations } : {}, spec: { containers: [] } } },
  };
}

export const owner = (kind: string, name: string, ns = 'default'): WorkloadObject => ({
  kind,
  metadata: { name, namespace: ns, uid: `uid-${name}` },
  spec: { template: { metadata: {}, spec: { containers: [] } } },
});

/** Facts of an image whose index has a windows/amd64 entry per build (and a linux one, ignored). */
export function indexOf(image: string, builds: string[]): ImageFactsLookup {
  return {
    state: 'known',
    facts: {
      image,
      registry: image.split('/')[0] ?? '',
      digest: `sha256:${'a'.repeat(64)}`,
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        ...builds.map((b) => ({ os: 'windows', architecture: 'amd64', osVersion: `${b}.${REVISION[b] ?? 1}`, digest: `sha256:${b}` })),
      ],
      fetchedAt: 0,
    },
  };
}

export const HYPERV_RC: RuntimeClass = {
  apiVersion: 'node.k8s.io/v1',
  kind: 'RuntimeClass',
  metadata: { name: 'runhcs-wcow-hypervisor' },
  handler: 'runhcs-wcow-hypervisor',
  overhead: { podFixed: { cpu: '250m', memory: '512Mi' } },
};

export const PROCESS_RC: RuntimeClass = {
  apiVersion: 'node.k8s.io/v1',
  kind: 'RuntimeClass',
  metadata: { name: 'process' },
  handler: 'process',
};

/** w17-a/b/c (pool=blue, 17763), w20-a (20348, Hyper-V), w20-b (20348, pool=red), w26-a (26100, Hyper-V), lin-1. */
export const fleetNodes = (): Node[] => [
  winNode('w17-a', '10.0.17763', { labels: { pool: 'blue' } }),
  winNode('w17-b', '10.0.17763', { labels: { pool: 'blue' } }),
  winNode('w17-c', '10.0.17763', { labels: { pool: 'blue' } }),
  winNode('w20-a', '10.0.20348', { hyperv: true, labels: { pool: 'green' } }),
  winNode('w20-b', '10.0.20348', { labels: { pool: 'red' } }),
  winNode('w26-a', '10.0.26100', { hyperv: true, labels: { pool: 'green' } }),
  linuxNode('lin-1'),
];

/** Pins a pod to one node as the DaemonSet controller does. */
export const onlyOn = (node: string): Partial<PodSpec> => ({
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
      },
    },
  },
});
