// Bench phase `informer-memory` (issue 15, BENCH_ONLY=informer-memory): the heap the control loops'
// informers hold for 5,000 nodes and 150,000 pods (30 Deployments of 5,000 pods, all bound and
// Running), fed the way the server answers: paged LISTs of JSON text with managedFields, parsed as
// the REST client parses them. Each cache shape is measured in its own `node --expose-gc` child, so
// every figure starts from a clean heap: `managed` keeps managedFields (client-go's default);
// `stripped` drops them (Tandem before issue 15, and upstream's kube-scheduler and
// kube-controller-manager, whose informer factories trim them with a transform); `compact` also
// shares repeated strings (Tandem's informers now); `gc-metadata` is the metadata-only copy of the
// same objects that the garbage collector kept besides the shared caches until it read those. Also
// the CPU time to sync both caches and to apply 20,000 pod MODIFIED watch events (JSON text parsed
// and applied), the cost side of the trade (CPU time of the child, not wall time: the machine is
// shared).

import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Node, Pod } from '../src/api/gen/types.js';
import type { RestClient, WatchEvent } from '../src/client/rest-client.js';
import { createInformer, type Informer, type InformerOptions } from '../src/client/informer.js';
import { POD_NODE_INDEXERS } from '../src/client/pod-indexes.js';
import { buildNode } from '../src/agent/sim/node-object.js';
import { wanted } from './cluster-phases.js';
import { fmt } from './stats.js';

const NODES = Number(process.env['BENCH_INFORMER_NODES'] ?? 5000);
const PODS = Number(process.env['BENCH_INFORMER_PODS'] ?? 150_000);
const DEPLOYMENTS = 30;
const EVENTS = Math.min(20_000, PODS);
const T0 = Date.parse('2026-12-07T10:00:00Z');
const VARIANTS = ['managed', 'stripped', 'compact', 'gc-metadata'] as const;
type Variant = (typeof VARIANTS)[number];

const log = (s: string) => process.stderr.write(`[bench] informer-memory: ${s}\n`);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const suffix = (i: number, n = 5) => (i * 2654435761).toString(36).slice(-n).padStart(n, 'x');

function managed(manager: string, operation: string, ms: number, fields: Record<string, unknown>, subresource?: string) {
  const e: Record<string, unknown> = { manager, operation, apiVersion: 'v1', time: iso(ms), fieldsType: 'FieldsV1', fieldsV1: fields };
  if (subresource) e['subresource'] = subresource;
  return e;
}

const deployUids = Array.from({ length: DEPLOYMENTS }, () => randomUUID());
/** Stable per object (watch events of a pod must name the cached one), unique, uuid-shaped. */
const uidOf = (kind: number, i: number) =>
  `${randomPart}-${kind.toString(16).padStart(4, '0')}-4000-8000-${i.toString(16).padStart(12, '0')}`;
const randomPart = randomUUID().slice(0, 8);

/** A pod of Deployment d as the server stores it once the sim ran it: bound, Running, Ready. */
function pod(i: number, rv: number): Pod {
  const d = i % DEPLOYMENTS;
  const node = `sim-node-${i % NODES}`;
  const hash = `7c9f8d6b${d % 10}`;
  const name = `app-${d}-${hash}-${suffix(i)}`;
  const created = T0 + Math.floor(i / 500) * 1000;
  const started = created + 1000;
  const hostIP = `10.64.${Math.floor((i % NODES) / 250)}.${(i % NODES) % 250}`;
  const podIP = `10.128.${(i % NODES) % 256}.${2 + Math.floor(i / NODES)}`;
  const labels = { app: `app-${d}`, 'pod-template-hash': hash };
  const cond = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: iso(started) });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `app-${d}-${hash}-`,
      namespace: 'bench',
      uid: uidOf(1, i),
      resourceVersion: String(rv),
      creationTimestamp: iso(created),
      labels,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `app-${d}-${hash}`,
          uid: deployUids[d] ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        managed('kube-controller-manager', 'Update', created, {
          'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} }, 'f:ownerReferences': {} },
          'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:resources': {} } } },
        }),
        managed('kube-scheduler', 'Update', created, { 'f:status': { 'f:conditions': { 'k:{"type":"PodScheduled"}': {} } } }, 'status'),
        managed(
          'tandem-sim',
          'Update',
          started,
          { 'f:status': { 'f:conditions': {}, 'f:containerStatuses': {}, 'f:hostIP': {}, 'f:podIP': {}, 'f:startTime': {} } },
          'status',
        ),
      ],
    },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'registry.example.com/bench/app:1.0',
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
          volumeMounts: [
            { name: `kube-api-access-${suffix(i + 7)}`, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
          ],
        },
      ],
      volumes: [
        {
          name: `kube-api-access-${suffix(i + 7)}`,
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
            ],
            defaultMode: 420,
          },
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      nodeName: node,
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: 'Running',
      conditions: [cond('PodReadyToStartContainers'), cond('Initialized'), cond('Ready'), cond('ContainersReady'), cond('PodScheduled')],
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: iso(started),
      containerStatuses: [
        {
          name: 'app',
          state: { running: { startedAt: iso(started) } },
          lastState: {},
          ready: true,
          restartCount: 0,
          image: 'registry.example.com/bench/app:1.0',
          imageID: 'registry.example.com/bench/app@sha256:4f1c3a9b7e2d6c5a8b0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3',
          containerID: `containerd://${randomUUID().replace(/-/g, '')}${randomUUID().replace(/-/g, '')}`,
          started: true,
        },
      ],
      qosClass: 'Burstable',
    },
  } as unknown as Pod;
}

function node(i: number, rv: number): Node {
  const name = `sim-node-${i}`;
  const n = buildNode(
    {
      name,
      os: 'linux',
      arch: 'amd64',
      cpu: '8',
      memory: '32Gi',
      pods: 110,
      ephemeralStorage: '100Gi',
      zone: `zone-${i % 3}`,
      labels: {},
      taints: [],
      hyperV: false,
      podCIDR: `10.128.${i % 256}.0/24`,
      internalIP: `10.64.${Math.floor(i / 250)}.${i % 250}`,
      kubeletVersion: 'v1.31.0',
      bootSeed: 'bench',
    },
    T0,
    T0,
  );
  n.metadata = {
    ...n.metadata,
    uid: uidOf(2, i),
    resourceVersion: String(rv),
    creationTimestamp: iso(T0),
    managedFields: [
      managed('tandem-sim', 'Update', T0, { 'f:metadata': { 'f:labels': {}, 'f:annotations': {} }, 'f:spec': { 'f:podCIDR': {} } }),
      managed(
        'tandem-sim',
        'Update',
        T0,
        { 'f:status': { 'f:conditions': {}, 'f:capacity': {}, 'f:allocatable': {}, 'f:nodeInfo': {} } },
        'status',
      ),
    ] as never,
  };
  return n;
}

/** A RestClient that answers paged LISTs of generated objects as JSON text, and a watch the bench drives. */
function fakeClient(count: number, make: (i: number, rv: number) => unknown, kind: string) {
  let onEvent: ((ev: WatchEvent) => void) | undefined;
  const client = {
    request(_m: string, path: string, _b?: unknown, _c?: string, accept?: string) {
      const q = new URLSearchParams(path.slice(path.indexOf('?') + 1));
      const limit = Number(q.get('limit') ?? 500);
      const from = Number(q.get('continue') || 0);
      const items = [];
      const meta = accept?.includes('PartialObjectMetadata') ?? false;
      for (let i = from; i < Math.min(count, from + limit); i++) {
        const o = make(i, 1000 + i) as { metadata: unknown };
        items.push(meta ? { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: o.metadata } : o);
      }
      const next = from + limit < count ? String(from + limit) : undefined;
      const text = JSON.stringify({
        kind: `${kind}List`,
        apiVersion: 'v1',
        metadata: { resourceVersion: '999999', continue: next },
        items,
      });
      return Promise.resolve(JSON.parse(text));
    },
    watch(_p: string, cb: (ev: WatchEvent) => void) {
      onEvent = cb;
      return { stop() {}, done: new Promise<void>(() => {}) };
    },
  } as unknown as RestClient;
  return { client, emit: (text: string) => onEvent?.(JSON.parse(text) as WatchEvent) };
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const heap = () => {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
};

interface Measured {
  variant: Variant;
  podBytes: number;
  nodeBytes: number;
  heapMb: number;
  syncMs: number;
  eventUs: number;
}

async function measure(variant: Variant): Promise<Measured> {
  const shape: Omit<InformerOptions, 'path'> = {
    keepManagedFields: variant === 'managed',
    compact: variant === 'compact' || variant === 'gc-metadata',
    metadataOnly: variant === 'gc-metadata',
  };
  const n = fakeClient(NODES, node, 'Node');
  const p = fakeClient(PODS, pod, 'Pod');
  const h0 = heap();
  const c0 = process.cpuUsage();
  const nodes: Informer<Node> = createInformer<Node>(n.client, { ...shape, path: '/api/v1/nodes' } as InformerOptions<Node>);
  nodes.start();
  await nodes.whenSynced();
  const h1 = heap();
  const pods = createInformer<Pod>(p.client, { ...shape, path: '/api/v1/pods', indexers: POD_NODE_INDEXERS });
  pods.start();
  await pods.whenSynced();
  const c1 = process.cpuUsage(c0);
  const syncMs = (c1.user + c1.system) / 1000;
  const h2 = heap();
  // steady state: MODIFIED events of existing pods (a status change each), parsed and applied
  const texts = Array.from({ length: EVENTS }, (_, k) => {
    const o = pod(k, 2_000_000 + k);
    const object = variant === 'gc-metadata' ? { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: o.metadata } : o;
    return JSON.stringify({ type: 'MODIFIED', object });
  });
  await new Promise((r) => setTimeout(r, 50)); // the informer opens its watch after the sync
  let applied = 0;
  pods.onUpdate(() => applied++);
  const c2 = process.cpuUsage();
  for (const t of texts) p.emit(t);
  const c3 = process.cpuUsage(c2);
  if (applied !== EVENTS) throw new Error(`informer-memory: ${applied} of ${EVENTS} watch events reached the cache`);
  const eventUs = (c3.user + c3.system) / EVENTS;
  return {
    variant,
    nodeBytes: (h1 - h0) / NODES,
    podBytes: (h2 - h1) / PODS,
    heapMb: (h2 - h0) / 1048576,
    syncMs,
    eventUs,
  };
}

export async function runInformerMemoryPhase(): Promise<void> {
  if (!wanted('informer-memory')) return;
  const self = fileURLToPath(import.meta.url);
  const out: Measured[] = [];
  // each variant in a fresh child; BENCH_INFORMER_TWICE=1 runs them twice (ABBA order), keeping the lower heap figure
  const order = process.env['BENCH_INFORMER_TWICE'] ? [...VARIANTS, ...[...VARIANTS].reverse()] : [...VARIANTS];
  for (const v of order) {
    log(`${v}: ${fmt(NODES, 0)} nodes, ${fmt(PODS, 0)} pods`);
    const text = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=6144', self, 'measure', v], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    const m = JSON.parse(text) as Measured;
    log(
      `${v}: pods ${fmt(m.podBytes, 0)} B each, nodes ${fmt(m.nodeBytes, 0)} B each, ${fmt(m.heapMb, 0)} MB; sync ${fmt(m.syncMs, 0)} ms CPU; ${fmt(m.eventUs, 1)} µs CPU per event`,
    );
    const have = out.find((x) => x.variant === v);
    if (!have) out.push(m);
    else if (m.heapMb < have.heapMb) out.splice(out.indexOf(have), 1, m);
  }
  const lines = out.map(
    (m) =>
      `  ${m.variant.padEnd(11)} pod ${fmt(m.podBytes, 0)} B, node ${fmt(m.nodeBytes, 0)} B, total ${fmt(m.heapMb, 0)} MB; ` +
      `sync ${fmt(m.syncMs, 0)} ms CPU (generation included); pod MODIFIED event ${fmt(m.eventUs, 1)} µs`,
  );
  process.stdout.write(
    `\nInformer heap, ${fmt(NODES, 0)} nodes + ${fmt(PODS, 0)} pods (heap after full GC, per cached object):\n${lines.join('\n')}\n`,
  );
}

if (process.argv[2] === 'measure') {
  const v = process.argv[3] as Variant;
  if (!(VARIANTS as readonly string[]).includes(v))
    throw new Error(`informer-memory: unknown variant ${String(v)}; one of ${VARIANTS.join(', ')}`);
  measure(v).then(
    (m) => {
      process.stdout.write(JSON.stringify(m));
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
