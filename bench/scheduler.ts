// Scheduler throughput, scheduler_perf style (perf-anchors B1): `tandem server --controllers
// scheduler` as a child (API server + store + the scheduler, nothing else), Ready nodes registered
// with POST /api/v1/nodes, init pods placed first, then the measured pods created by 64 clients while
// a pod watch times every binding. Throughput = bindings per 1 s sample from the start of the
// measured creates to the last binding.

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { closedLoop, createClient, type Client, type LoadResult } from './http-load.js';
import { ensureNamespace } from './api-phases.js';
import { startServerChild } from './cluster-proc.js';
import { throughput, watchPods, type Throughput } from './scheduler-watch.js';
import type { BoundPod, Workload } from './scheduler-workloads.js';
import { fmt } from './stats.js';

const CLIENTS = 64;
const NS = 'sched';

export interface SchedulerRun {
  workload: string;
  title: string;
  store: 'memory' | 'sqlite';
  nodes: number;
  measuredPods: number;
  /** node registration rate */
  nodesPerSec: number;
  creates: LoadResult;
  tp: Throughput;
  /** measured pods still unbound when the run ended */
  unbound: number;
  /** server CPU seconds per measured pod, and its share of a core */
  cpuMsPerPod: number;
  cpuShare: number;
  peakRssMb: number;
  rssMb: number;
  /** windows: how long after the last binding every measured pod had its tandem.dev/Isolation condition */
  conditionsLagMs?: number;
  error?: string;
}

async function post(client: Client, path: string, count: number, body: (i: number) => string): Promise<LoadResult> {
  return closedLoop({
    concurrency: CLIENTS,
    durationMs: 600_000,
    maxRequests: count,
    op: async (i) => {
      const r = await client.send('POST', path, body(i));
      return r.status === 201 ? true : `HTTP ${r.status}: ${(r.body ?? '').slice(0, 200)}`;
    },
  });
}

/**
 * After the measured window: ms until every pod carries its tandem.dev/Isolation condition (the
 * scheduler writes them behind the bindings); Infinity when that takes over a minute.
 */
async function conditionsLag(client: Client, total: number, since: number): Promise<number> {
  const end = since + 60_000;
  for (;;) {
    const r = await client.send('GET', `/api/v1/namespaces/${NS}/pods`, undefined, { keepBody: true });
    const items = (JSON.parse(r.body ?? '{}') as { items?: Array<{ status?: { conditions?: Array<{ type?: string }> } }> }).items ?? [];
    const done = items.filter((p) => p.status?.conditions?.some((c) => c.type === 'tandem.dev/Isolation')).length;
    const now = performance.now();
    if (done >= total) return now - since;
    if (now > end) return Number.POSITIVE_INFINITY;
    await new Promise((res) => setTimeout(res, 250));
  }
}

export async function runSchedulerWorkload(
  root: string,
  w: Workload,
  store: 'memory' | 'sqlite',
  log: (s: string) => void,
  cpuProfDir?: string,
): Promise<SchedulerRun> {
  const dataDir = join(root, `sched-${w.name}-${w.nodes}-${store}`);
  const extra = await w.setup?.(dataDir, log);
  const s = await startServerChild({ dataDir, store, controllers: 'scheduler', ...(cpuProfDir ? { cpuProfDir } : {}) }).catch(
    async (e: unknown) => {
      await extra?.stop();
      throw e;
    },
  );
  const client = createClient(s.target, CLIENTS);
  let watch: Awaited<ReturnType<typeof watchPods>> | undefined;
  try {
    const t0 = performance.now();
    const nodes = await post(client, '/api/v1/nodes', w.nodes, (i) => w.node(i));
    if (nodes.errors > 0) throw new Error(`node registration: ${nodes.errors} errors (${nodes.firstError ?? ''})`);
    const nodesPerSec = w.nodes / ((performance.now() - t0) / 1000);
    await ensureNamespace(client, NS);
    watch = await watchPods(s.target, `/api/v1/namespaces/${NS}/pods?watch=1`);
    const wt = watch;
    // the scheduler's node cache fills from its informer: wait until the first init pods bind
    const init = await post(client, `/api/v1/namespaces/${NS}/pods`, w.initPods, (i) => w.pod(`init-${i}`, false));
    if (init.errors > 0) throw new Error(`init pods: ${init.errors} errors (${init.firstError ?? ''})`);
    await wt.until(() => wt.bound() >= w.initPods, 60_000, 15_000);
    if (w.check) {
      const r = await client.send('GET', `/api/v1/namespaces/${NS}/pods?limit=50`, undefined, { keepBody: true });
      const why = w.check((JSON.parse(r.body ?? '{}') as { items?: BoundPod[] }).items?.filter((p) => p.spec?.nodeName) ?? []);
      if (why) throw new Error(why);
    }
    const cpu0 = s.cpuSeconds();
    const from = performance.now();
    const creates = await post(client, `/api/v1/namespaces/${NS}/pods`, w.measuredPods, (i) => w.pod(`pod-${i}`, true));
    const total = w.initPods + w.measuredPods;
    await wt.until(() => wt.bound() >= total, 120_000, 15_000);
    const tp = throughput(wt.bindTimes, from);
    const cpuS = s.cpuSeconds() - cpu0;
    const wall = (performance.now() - from) / 1000;
    const lastBind = wt.bindTimes[wt.bindTimes.length - 1] ?? performance.now();
    const conditionsLagMs = w.name === 'windows' ? await conditionsLag(client, total, lastBind) : undefined;
    const run: SchedulerRun = {
      workload: w.name,
      title: w.title,
      store,
      nodes: w.nodes,
      measuredPods: w.measuredPods,
      nodesPerSec,
      creates,
      tp,
      unbound: total - wt.bound(),
      cpuMsPerPod: (1000 * cpuS) / Math.max(1, tp.pods),
      cpuShare: cpuS / wall,
      peakRssMb: s.peakRssMb(),
      rssMb: s.rssMb(),
      ...(conditionsLagMs !== undefined ? { conditionsLagMs } : {}),
    };
    log(
      `scheduler ${w.name} ${w.nodes} nodes / ${w.measuredPods} pods (${store}): avg ${fmt(tp.average)} pods/s (p50 ${fmt(tp.p50)}, p90 ${fmt(tp.p90)}, p99 ${fmt(tp.p99)}; ${tp.samples} samples); creates ${fmt(creates.rate)}/s; ${run.unbound} unbound; nodes ${fmt(nodesPerSec)}/s; server ${fmt(run.cpuMsPerPod)} ms CPU/pod, RSS ${fmt(run.rssMb)} MB${conditionsLagMs !== undefined ? `; isolation conditions ${Number.isFinite(conditionsLagMs) ? `complete ${fmt(conditionsLagMs / 1000, 1)} s after the last binding` : 'NOT all written a minute after the last binding'}` : ''}`,
    );
    return run;
  } finally {
    watch?.close();
    client.close();
    await s.stop();
    await extra?.stop();
  }
}
