// Bench phase `pod-writes` (issue 15, the server's CPU per pod): the writes one pod costs the API
// server on the scale path, without the control loops and sim nodes around them, so that the
// figure does not depend on wall time (heartbeats, side load) the way the scale phase's does:
// create (as the ReplicaSet controller), binding (as the scheduler), then two whole-pod status
// PUTs (as `tandem sim`: Running, then Ready). The figure is the server's CPU (user + system, from
// /proc) per pod. `BENCH_ONLY=pod-writes npm run bench`; BENCH_POD_WRITES_PODS (default 3,000);
// BENCH_PROF=1 also prints the server's CPU profile of the timed writes.

import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNamespace } from './api-phases.js';
import { wanted } from './cluster-phases.js';
import { createClient, type Client } from './http-load.js';
import { loadProfile, renderProfile, summarizeProfile } from './prof-top.js';
import { startTandem } from './server-proc.js';
import { fmt } from './stats.js';

const NS = 'pod-writes';
const CONCURRENCY = 16;
const PODS = `/api/v1/namespaces/${NS}/pods`;
const T = '2026-12-07T12:00:00Z';

type Rec = Record<string, unknown>;

const manifest = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'web', 'pod-template-hash': '5a0001f' } },
  spec: { containers: [{ name: 'main', image: 'nginx:1.25', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
});

function withStatus(pod: Rec, node: string, ready: boolean): string {
  const meta = { ...(pod['metadata'] as Rec) };
  delete meta['resourceVersion'];
  delete meta['managedFields']; // as the sim's informer copy: without them (the create's would be stale by now)
  const cond = (type: string, status: boolean) => ({ type, status: status ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: T });
  const status = {
    phase: 'Running',
    conditions: [
      cond('PodReadyToStartContainers', true),
      cond('Initialized', true),
      cond('Ready', ready),
      cond('ContainersReady', ready),
      cond('PodScheduled', true),
    ],
    hostIP: '10.200.0.1',
    hostIPs: [{ ip: '10.200.0.1' }],
    podIP: '10.128.0.9',
    podIPs: [{ ip: '10.128.0.9' }],
    startTime: T,
    containerStatuses: [
      {
        name: 'main',
        image: 'nginx:1.25',
        imageID: 'nginx@sha256:00',
        containerID: 'sim://0',
        ready,
        restartCount: 0,
        started: true,
        state: { running: { startedAt: T } },
      },
    ],
  };
  return JSON.stringify({ ...pod, metadata: meta, spec: { ...(pod['spec'] as Rec), nodeName: node }, status });
}

async function onePod(c: Client, i: number): Promise<void> {
  const name = `p-${i}`;
  const node = `sim-node-${i % 100}`;
  const created = await c.send('POST', PODS, JSON.stringify(manifest(name)), { keepBody: true });
  if (created.status !== 201) throw new Error(`create ${name}: HTTP ${created.status} ${created.body ?? ''}`);
  const pod = JSON.parse(created.body ?? '{}') as Rec;
  const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } };
  const b = await c.send('POST', `${PODS}/${name}/binding`, JSON.stringify(binding));
  if (b.status !== 201) throw new Error(`bind ${name}: HTTP ${b.status} ${b.body ?? ''}`);
  for (const ready of [false, true]) {
    const r = await c.send('PUT', `${PODS}/${name}/status`, withStatus(pod, node, ready));
    if (r.status !== 200) throw new Error(`status of ${name}: HTTP ${r.status} ${r.body ?? ''}`);
  }
}

export async function runPodWritesPhase(): Promise<void> {
  if (!wanted('pod-writes')) return;
  const n = Number(process.env['BENCH_POD_WRITES_PODS'] ?? 3000);
  const root = mkdtempSync(join(tmpdir(), 'tandem-pod-writes-'));
  const profDir = process.env['BENCH_PROF'] ? join(root, 'prof') : undefined;
  if (profDir) mkdirSync(profDir);
  const s = await startTandem({ dataDir: join(root, 'data'), controllers: 'none', cpuProfDir: profDir });
  const c = createClient(s.target, CONCURRENCY);
  const window = { fromUs: 0, toUs: 0 };
  try {
    await ensureNamespace(c, NS);
    for (let i = 0; i < 50; i++) await onePod(c, n + i); // warm-up
    const cpu0 = s.cpuSeconds();
    const t0 = Date.now();
    window.fromUs = Number(process.hrtime.bigint() / 1000n);
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < n) await onePod(c, next++);
      }),
    );
    const cpuS = s.cpuSeconds() - cpu0;
    window.toUs = Number(process.hrtime.bigint() / 1000n);
    const wallS = (Date.now() - t0) / 1000;
    process.stdout.write(
      `pod writes (create, binding, 2 status PUTs; ${fmt(n, 0)} pods, ${CONCURRENCY} clients, no control loops): server CPU ${fmt((1000 * cpuS) / n)} ms per pod, ${fmt(n / wallS)} pods/s\n`,
    );
  } finally {
    c.close();
    await s.stop(profDir ? 60_000 : 30_000);
  }
  const file = profDir ? readdirSync(profDir).find((f) => f.endsWith('.cpuprofile')) : undefined;
  if (profDir && file) {
    const prof = loadProfile(join(profDir, file));
    process.stderr.write(
      `${renderProfile('pod writes: server CPU profile of the timed writes', summarizeProfile(prof, 30, window), 30)}\n`,
    );
  }
  rmSync(root, { recursive: true, force: true });
}
