// scheduler_perf-shaped workloads: the nodes to register and the pods to create. Nodes carry the
// scheduler_perf default capacity (4 CPU, 32 Gi, 110 pods), pods request 100m / 500Mi like its
// default pod, and each workload adds its own twist (labels, taints, zones, affinity, spread).
// `windows` is Tandem's own: Windows nodes of three builds (half with Hyper-V) and Windows pods
// whose images live in a local registry (Debian's docker-registry), so the isolation autopilot
// judges every pod; the image facts are warm after the init pods, as the target asks.

import { join } from 'node:path';
import { buildNode, type SimNodeDescription } from '../src/agent/sim/node-object.js';
import { pushIndex, startRegistry, windowsStandIn } from '../test/images/registry.js';

export type WorkloadName = 'basic' | 'affinity' | 'taints' | 'spread' | 'windows';

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
  /** What the workload needs beside the server (a registry), started before the server. */
  setup?(dir: string, log: (s: string) => void): Promise<{ stop(): Promise<void> }>;
  /** Given some bound init pods: why the measurement would not measure what it says, if so. */
  check?(pods: readonly BoundPod[]): string | undefined;
}

export interface BoundPod {
  metadata?: { name?: string; annotations?: Record<string, string> };
  spec?: { nodeName?: string };
}

const AFFINITY_LABEL = 'bench.tandem.io/affinity';
const TAINT_KEY = 'bench.tandem.io/tainted';
const ZONE = 'topology.kubernetes.io/zone';

function nodeJson(
  i: number,
  labels: Record<string, string>,
  taint: boolean,
  zone?: string,
  windows?: { build: string; hyperV: boolean },
): string {
  const d: SimNodeDescription = {
    name: `node-${i}`,
    os: windows ? 'windows' : 'linux',
    ...(windows ? { windowsBuild: windows.build } : {}),
    arch: 'amd64',
    cpu: '4',
    memory: '32Gi',
    pods: 110,
    ephemeralStorage: '100Gi',
    labels,
    taints: taint ? [{ key: TAINT_KEY, value: 'true', effect: 'NoSchedule' }] : [],
    hyperV: windows?.hyperV ?? false,
    podCIDR: `10.${64 + (i >> 8)}.${i & 255}.0/24`,
    internalIP: `172.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
    kubeletVersion: 'v1.32.0-bench',
    bootSeed: 'bench',
    ...(zone !== undefined ? { zone } : {}),
  };
  const now = Date.now();
  return JSON.stringify(buildNode(d, now, now));
}

function podJson(
  name: string,
  extra: Record<string, unknown>,
  labels: Record<string, string>,
  image = 'registry.k8s.io/pause:3.10',
): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'sched-bench', ...labels } },
    spec: {
      containers: [
        {
          name: 'pause',
          image,
          ports: [{ containerPort: 80 }],
          resources: { requests: { cpu: '100m', memory: '500Mi' }, limits: { cpu: '100m', memory: '500Mi' } },
        },
      ],
      ...extra,
    },
  });
}

const WINDOWS_BUILDS = ['10.0.17763', '10.0.20348', '10.0.26100'];
/**
 * The images of the Windows workload and their Windows builds: two multi-build indexes (as
 * Microsoft's .NET images are) that run process-isolated everywhere, a WS2022-only image (process on
 * 20348 and 26100, nowhere on 17763) and a WS2019-only one (process on 17763, Hyper-V elsewhere).
 */
const WINDOWS_IMAGES: ReadonlyArray<{ repo: string; builds: string[]; linux?: boolean }> = [
  { repo: 'bench/win-multi-a', builds: WINDOWS_BUILDS },
  { repo: 'bench/win-multi-b', builds: WINDOWS_BUILDS, linux: true },
  { repo: 'bench/win-ltsc2022', builds: ['10.0.20348'] },
  { repo: 'bench/win-ltsc2019', builds: ['10.0.17763'] },
];

/** Small stand-in indexes (one tiny layer per entry; nothing pulls them) in a loopback registry. */
async function windowsRegistry(dir: string, log: (s: string) => void): Promise<{ host: string; stop(): Promise<void> }> {
  const reg = await startRegistry({ dir: join(dir, 'registry') });
  try {
    for (const img of WINDOWS_IMAGES)
      await pushIndex(
        reg.url,
        img.repo,
        '1',
        windowsStandIn(
          img.repo,
          img.builds.map((b) => `${b}.1`),
          { linux: img.linux === true },
        ),
      );
  } catch (e) {
    await reg.stop();
    throw e;
  }
  log(`windows workload: ${WINDOWS_IMAGES.length} image indexes in the registry at ${reg.host}`);
  return { host: reg.host, stop: () => reg.stop() };
}

function windowsWorkload(base: Omit<Workload, 'title' | 'node' | 'pod'>): Workload {
  let host = '';
  return {
    ...base,
    title: `windows (builds 17763/20348/26100, half with Hyper-V; ${WINDOWS_IMAGES.length} images)`,
    node: (i) => nodeJson(i, {}, false, undefined, { build: WINDOWS_BUILDS[i % 3] as string, hyperV: i % 2 === 0 }),
    pod: (n) => {
      const i = Number(/(\d+)$/.exec(n)?.[1] ?? 0);
      const img = WINDOWS_IMAGES[i % WINDOWS_IMAGES.length] as (typeof WINDOWS_IMAGES)[number];
      return podJson(n, { os: { name: 'windows' } }, {}, `${host}/${img.repo}:1`);
    },
    async setup(dir, log) {
      const reg = await windowsRegistry(dir, log);
      host = reg.host;
      return reg;
    },
    check(pods) {
      const judged = pods.filter((p) => p.metadata?.annotations?.['tandem.dev/isolation']);
      if (pods.length > 0 && judged.length === 0)
        return 'bound Windows pods carry no tandem.dev/isolation annotation: the scheduler runs without an image facts source (autopilot off)';
      return undefined;
    },
  };
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
    case 'windows':
      return windowsWorkload(base);
  }
}
