// The store's memory per object (issue 15, item 2): N realistic pods — as a Deployment, the scheduler
// and a simulated node leave them, managedFields included as the API server writes them — created
// straight through the resource store on the memory backend, then the heap after a full GC divided
// by N. Two server-side caches that grow with the object count are measured on top: the
// PartialObjectMetadata encoding the garbage collector's metadata informers ask for, and the
// per-version facts of a field-selector watch (spec.nodeName, as each real kubelet asks).
//
// `BENCH_ONLY=store-memory npm run bench` (a phase of bench/run.ts), or alone:
// `node --expose-gc dist/bench/store-memory.js [pods]` (prints one JSON line).

import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { podKind } from '../src/api/kinds/core/pod/pod.js';
import type { AnyObject } from '../src/api/object.js';
import { ResourceStore } from '../src/apiserver/registry/resource-store.js';
import { partialMetadataJson } from '../src/apiserver/handlers/partial-metadata.js';
import { compileFilter } from '../src/apiserver/registry/filters.js';
import { createMemoryBackend } from '../src/storage/memory/memory-backend.js';
import { fmt } from './stats.js';

const NODES = 5000;
const REPLICAS = 1000;

export interface StoreMemory {
  pods: number;
  /** mean stored JSON length (bytes; the wire JSON is the same plus resourceVersion) */
  jsonBytes: number;
  /** heap growth per pod after a full GC: current index + history */
  bytesPerPod: number;
  /** the same, counting the process's RSS growth */
  rssPerPod: number;
  /** extra heap per pod once every pod was served to a metadata-only informer */
  metadataCachePerPod: number;
  /** extra heap per pod once every pod was matched by a spec.nodeName field selector */
  filterFactsPerPod: number;
  createUsPerPod: number;
}

const hex = (n: number) => randomBytes(n).toString('hex');
const ip = (i: number, base: number) => `10.${base + ((i >>> 16) & 63)}.${(i >>> 8) & 255}.${i & 255}`;

/** One pod as it stands after create (replicaset), bind (scheduler) and the sim's status writes. */
function realisticPod(i: number): { obj: AnyObject; managedFields: string } {
  const dep = Math.floor(i / REPLICAS);
  const hash = `${(0x5a000000 + dep * 7919).toString(16)}`.slice(0, 10);
  const rsName = `web-${dep}-${hash}`;
  const rsUid = `00000000-0000-4000-8000-${String(dep).padStart(12, '0')}`;
  const name = `${rsName}-${(i % REPLICAS).toString(36).padStart(5, 'x')}`;
  const node = `sim-linux-${i % NODES}`;
  const podIp = ip(i, 128);
  const hostIp = ip(i % NODES, 200);
  const t = new Date(Date.UTC(2026, 11, 7, 11, 0, 0) + i * 10).toISOString().replace(/\.\d+Z$/, 'Z');
  const image = `registry.example.com/shop/web-${dep % 20}:1.0`;
  const cond = (type: string) => ({ lastProbeTime: null, lastTransitionTime: t, status: 'True', type });
  const mfCond = `{".":{},"f:lastProbeTime":{},"f:lastTransitionTime":{},"f:status":{},"f:type":{}}`;
  const managedFields =
    `[{"apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:generateName":{},"f:labels":{".":{},"f:app":{},"f:pod-template-hash":{}},` +
    `"f:ownerReferences":{"k:{\\"uid\\":\\"${rsUid}\\"}":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"web\\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},` +
    `"f:resources":{"f:limits":{".":{},"f:cpu":{},"f:memory":{}},"f:requests":{".":{},"f:cpu":{},"f:memory":{}}},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},` +
    `"f:dnsPolicy":{},"f:enableServiceLinks":{},"f:preemptionPolicy":{},"f:priority":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:serviceAccount":{},` +
    `"f:serviceAccountName":{},"f:terminationGracePeriodSeconds":{},"f:tolerations":{}}},"manager":"tandem-replicaset","operation":"Update","time":"${t}"},` +
    `{"apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:conditions":{"k:{\\"type\\":\\"ContainersReady\\"}":${mfCond},"k:{\\"type\\":\\"Initialized\\"}":${mfCond},` +
    `"k:{\\"type\\":\\"PodReadyToStartContainers\\"}":${mfCond},"k:{\\"type\\":\\"Ready\\"}":${mfCond}},"f:containerStatuses":{},"f:hostIP":{},"f:hostIPs":{},"f:phase":{},"f:podIP":{},` +
    `"f:podIPs":{"k:{\\"ip\\":\\"${podIp}\\"}":{".":{},"f:ip":{}}},"f:startTime":{}}},"manager":"tandem-sim","operation":"Update","subresource":"status","time":"${t}"}]`;
  const vol = `kube-api-access-${hex(3).slice(0, 5)}`;
  const obj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      creationTimestamp: t,
      generateName: `${rsName}-`,
      labels: { app: `web-${dep}`, 'pod-template-hash': hash },
      name,
      namespace: `team-${dep % 30}`,
      ownerReferences: [
        { apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: 'ReplicaSet', name: rsName, uid: rsUid },
      ],
      uid: randomUUID(),
    },
    spec: {
      containers: [
        {
          image,
          imagePullPolicy: 'IfNotPresent',
          name: 'web',
          resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          volumeMounts: [{ mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: vol, readOnly: true }],
        },
      ],
      dnsPolicy: 'ClusterFirst',
      enableServiceLinks: true,
      nodeName: node,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      serviceAccount: 'default',
      serviceAccountName: 'default',
      terminationGracePeriodSeconds: 30,
      tolerations: [
        { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
        { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
      ],
      volumes: [
        {
          name: vol,
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
              { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
            ],
          },
        },
      ],
    },
    status: {
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(cond),
      containerStatuses: [
        {
          containerID: `sim://${hex(16)}`,
          image,
          imageID: `${image}@sha256:${hex(32)}`,
          name: 'web',
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: t } },
        },
      ],
      hostIP: hostIp,
      hostIPs: [{ ip: hostIp }],
      phase: 'Running',
      podIP: podIp,
      podIPs: [{ ip: podIp }],
      qosClass: 'Burstable',
      startTime: t,
    },
  };
  return { obj: obj as unknown as AnyObject, managedFields };
}

function heap(): { heap: number; rss: number } {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with node --expose-gc');
  g();
  g();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
}

async function measure(count: number): Promise<StoreMemory> {
  const backend = createMemoryBackend();
  const store = new ResourceStore(podKind, backend);
  const base = heap();
  let jsonChars = 0;
  const t0 = process.hrtime.bigint();
  const BATCH = 500;
  for (let i = 0; i < count; i += BATCH) {
    const writes: Promise<string>[] = [];
    for (let j = i; j < Math.min(count, i + BATCH); j++) {
      const p = realisticPod(j);
      writes.push(store.create(p.obj, false, p.managedFields));
    }
    for (const w of await Promise.all(writes)) jsonChars += w.length;
  }
  const createUs = Number(process.hrtime.bigint() - t0) / 1000 / count;
  const filled = heap();
  const kvs = (await backend.list('/')).kvs;
  let sink = 0;
  for (const kv of kvs) sink += partialMetadataJson(kv).length;
  const withMeta = heap();
  const byNode = compileFilter(podKind, null, 'spec.nodeName=sim-linux-7');
  for (const kv of kvs) if (byNode?.(kv)) sink++;
  const withFacts = heap();
  if (sink < 0) throw new Error('unreachable');
  await backend.close();
  return {
    pods: count,
    jsonBytes: jsonChars / count,
    bytesPerPod: (filled.heap - base.heap) / count,
    rssPerPod: (filled.rss - base.rss) / count,
    metadataCachePerPod: (withMeta.heap - filled.heap) / count,
    filterFactsPerPod: (withFacts.heap - withMeta.heap) / count,
    createUsPerPod: createUs,
  };
}

/** The bench phase: a child process with --expose-gc (a clean heap), its figures printed to stderr. */
export async function runStoreMemoryPhase(pods = 150_000): Promise<StoreMemory> {
  const script = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', script, String(pods)], { encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as StoreMemory;
  process.stdout.write(
    `store memory, ${fmt(r.pods)} pods (${fmt(r.jsonBytes, 0)} B JSON each): ${fmt(r.bytesPerPod, 0)} B/pod heap, ${fmt(r.rssPerPod, 0)} B/pod RSS; ` +
      `+${fmt(r.metadataCachePerPod, 0)} B/pod metadata-informer cache, +${fmt(r.filterFactsPerPod, 0)} B/pod field-selector facts; create ${fmt(r.createUsPerPod, 1)} µs/pod\n`,
  );
  return r;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  measure(Number(process.argv[2] ?? 150_000)).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
