// scheduler_perf-shaped workloads: the nodes to register and the pods to create. Nodes carry the
// scheduler_perf default capacity (4 CPU, 32 Gi, 110 pods), pods request 100m / 500Mi like its
// default pod, and each workload adds its own twist (labels, taints, zones, affinity, spread).

import { buildNode, type SimNodeDescription } from '../src/agent/sim/node-object.js';

export type WorkloadName = 'basic' | 'affinity' | 'taints' | 'spread';

export interface Workload {
  name: WorkloadName;
  title: string;
  nodes: number;
  initPods: number;
  measuredPods: number;
  /** the Node JSON for node i */
  node(i: number): string;
  /** a pod body with the name spliced in */
  pod(name: string, measured: boolean): string;
}

const AFFINITY_LABEL = 'bench.tandem.io/affinity';
const TAINT_KEY = 'bench.tandem.io/tainted';
const ZONE = 'topology.kubernetes.io/zone';

function nodeJson(i: number, labels: Record<string, string>, taint: boolean, zone?: string): string {
  const d: SimNodeDescription = {
    name: `node-${i}`,
    os: 'linux',
    arch: 'amd64',
    cpu: '4',
    memory: '32Gi',
    pods: 110,
    ephemeralStorage: '100Gi',
    labels,
    taints: taint ? [{ key: TAINT_KEY, value: 'true', effect: 'NoSchedule' }] : [],
    hyperV: false,
    podCIDR: `10.${64 + (i >> 8)}.${i & 255}.0/24`,
    internalIP: `172.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
    kubeletVersion: 'v1.32.0-bench',
    bootSeed: 'bench',
    ...(zone !== undefined ? { zone } : {}),
  };
  const now = Date.now();
  return JSON.stringify(buildNode(d, now, now));
}

function podJson(name: string, extra: Record<string, unknown>, labels: Record<string, string>): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'sched-bench', ...labels } },
    spec: {
      containers: [
        {
          name: 'pause',
          image: 'registry.k8s.io/pause:3.10',
          ports: [{ containerPort: 80 }],
          resources: { requests: { cpu: '100m', memory: '500Mi' }, limits: { cpu: '100m', memory: '500Mi' } },
        },
      ],
      ...extra,
    },
  });
}

export function workload(name: WorkloadName, nodes: number, measuredPods: number, initPods = 1000): Workload {
  const base = { name, nodes, initPods, measuredPods };
  switch (name) {
    case 'basic':
      return { ...base, title: 'basic', node: (i) => nodeJson(i, {}, false), pod: (n) => podJson(n, {}, {}) };
    case 'affinity': {
      const affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: AFFINITY_LABEL, operator: 'In', values: ['yes'] }] }],
          },
        },
      };
      return {
        ...base,
        title: 'node affinity (required, half the nodes)',
        node: (i) => nodeJson(i, i % 2 === 0 ? { [AFFINITY_LABEL]: 'yes' } : {}, false),
        pod: (n, measured) => podJson(n, measured ? { affinity } : {}, {}),
      };
    }
    case 'taints':
      return {
        ...base,
        title: `taints (${Math.round(nodes / 5)} of ${nodes} nodes NoSchedule)`,
        node: (i) => nodeJson(i, {}, i % 5 === 0),
        pod: (n) => podJson(n, {}, {}),
      };
    case 'spread': {
      const spread = [
        { maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { spread: 'yes' } } },
      ];
      return {
        ...base,
        title: 'topology spread (3 zones, maxSkew 1)',
        node: (i) => nodeJson(i, {}, false, `zone-${i % 3}`),
        pod: (n, measured) => (measured ? podJson(n, { topologySpreadConstraints: spread }, { spread: 'yes' }) : podJson(n, {}, {})),
      };
    }
  }
}
