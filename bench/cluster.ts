// Whole-cluster benchmarks (perf-anchors B5, B6): the full control plane (`tandem server`, every
// controller, SQLite) with `tandem sim` fleets in their own processes.
//  - a 1,000-replica Deployment on 100 sim nodes: POST → all pods Running and Ready (seen by watch)
//  - control-plane RSS with 5,000 sim nodes and 10,000 pods Running (10 Deployments × 1,000)

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createClient, type Client } from './http-load.js';
import { ensureNamespace } from './api-phases.js';
import { startServerChild, startSimChild, type Child, type ServerChild } from './cluster-proc.js';
import { watchPods } from './scheduler-watch.js';
import type { Probe } from './server-proc.js';
import { fmt, summarize, type LatencySummary } from './stats.js';
import { deploymentJson } from './scale-config.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function createDeployment(client: Client, ns: string, name: string, replicas: number): Promise<void> {
  const r = await client.send('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deploymentJson(name, replicas));
  if (r.status !== 201) throw new Error(`creating deployment ${name}: HTTP ${r.status} ${r.body ?? ''}`);
}

export interface DeploymentRun {
  replicas: number;
  nodes: number;
  /** POST → last pod Running and Ready (ms); NaN when not all got there */
  allReadyMs: number;
  ready: number;
  /** per pod: first seen by the watch → Running and Ready seen */
  startup: LatencySummary;
  simRegisterMs: number;
  serverCpuS: number;
  simCpuS: number;
}

async function withCluster<T>(
  dir: string,
  simArgs: string[],
  f: (s: ServerChild, sim: Child) => Promise<T>,
  cpuProfDir?: string,
): Promise<T> {
  const s = await startServerChild({ dataDir: dir, store: 'sqlite', ...(cpuProfDir ? { cpuProfDir } : {}) });
  let sim: Child | undefined;
  try {
    sim = await startSimChild(dir, simArgs);
    return await f(s, sim);
  } finally {
    await sim?.stop();
    await s.stop();
  }
}

export async function runDeploymentBench(
  root: string,
  log: (s: string) => void,
  cpuProfDir?: string,
  replicas = 1000,
  nodes = 100,
): Promise<DeploymentRun> {
  return withCluster(
    join(root, 'cluster-deploy'),
    ['--nodes', String(nodes), '--os', 'linux'],
    async (s, sim) => {
      const client = createClient(s.target, 8);
      const ns = 'bench-deploy';
      try {
        await ensureNamespace(client, ns);
        await sleep(1000);
        const watch = await watchPods(s.target, `/api/v1/namespaces/${ns}/pods?watch=1`);
        const cpu0 = s.cpuSeconds();
        const sim0 = sim.cpuSeconds();
        const t0 = performance.now();
        await createDeployment(client, ns, 'big', replicas);
        const ok = await watch.until(() => watch.ready() >= replicas, 120_000, 20_000);
        const allReadyMs = ok ? watch.lastReadyAt() - t0 : Number.NaN;
        watch.close();
        const run: DeploymentRun = {
          replicas,
          nodes,
          allReadyMs,
          ready: watch.ready(),
          startup: summarize(watch.startupMs()),
          simRegisterMs: sim.readyMs,
          serverCpuS: s.cpuSeconds() - cpu0,
          simCpuS: sim.cpuSeconds() - sim0,
        };
        log(
          `deployment of ${replicas} on ${nodes} sim nodes: ${ok ? `${fmt(allReadyMs)} ms to all Running and Ready` : `only ${run.ready} Ready after the timeout`}; pod startup p50 ${fmt(run.startup.p50)} ms, p99 ${fmt(run.startup.p99)} ms`,
        );
        return run;
      } finally {
        client.close();
      }
    },
    cpuProfDir,
  );
}

export interface RssRun {
  nodes: number;
  pods: number;
  ready: number;
  /** POSTs → all pods Ready (ms), NaN when not reached */
  allReadyMs: number;
  simRegisterMs: number;
  serverRss: number;
  serverPeak: number;
  serverProbe: Probe | undefined;
  simRss: number;
  simPeak: number;
  /** CPU % of one core over 5 s of steady state (lease heartbeats only) */
  serverIdleCpu: number;
  simIdleCpu: number;
}

export async function runRssBench(
  root: string,
  log: (s: string) => void,
  cpuProfDir?: string,
  nodes = 5000,
  deployments = 10,
  replicas = 1000,
): Promise<RssRun> {
  const simArgs = ['--nodes', String(nodes), '--os', 'linux', '--zones', '3'];
  return withCluster(
    join(root, 'cluster-rss'),
    simArgs,
    async (s, sim) => {
      log(`rss: ${nodes} sim nodes registered in ${fmt(sim.readyMs)} ms (sim RSS ${fmt(sim.rssMb())} MB, server ${fmt(s.rssMb())} MB)`);
      const client = createClient(s.target, 8);
      const ns = 'bench-rss';
      const pods = deployments * replicas;
      try {
        await ensureNamespace(client, ns);
        const watch = await watchPods(s.target, `/api/v1/namespaces/${ns}/pods?watch=1`);
        const t0 = performance.now();
        for (let i = 0; i < deployments; i++) await createDeployment(client, ns, `app-${i}`, replicas);
        const ok = await watch.until(() => watch.ready() >= pods, 150_000, 30_000);
        const allReadyMs = ok ? watch.lastReadyAt() - t0 : Number.NaN;
        watch.close();
        log(`rss: ${watch.ready()}/${pods} pods Ready ${ok ? `in ${fmt(allReadyMs)} ms` : 'at the timeout'}`);
        await sleep(3000);
        const c0 = s.cpuSeconds();
        const sc0 = sim.cpuSeconds();
        await sleep(5000);
        const run: RssRun = {
          nodes,
          pods,
          ready: watch.ready(),
          allReadyMs,
          simRegisterMs: sim.readyMs,
          serverRss: s.rssMb(),
          serverPeak: s.peakRssMb(),
          serverProbe: undefined,
          simRss: sim.rssMb(),
          simPeak: sim.peakRssMb(),
          serverIdleCpu: (100 * (s.cpuSeconds() - c0)) / 5,
          simIdleCpu: (100 * (sim.cpuSeconds() - sc0)) / 5,
        };
        run.serverProbe = await s.probe();
        log(
          `rss: server ${fmt(run.serverRss)} MB (peak ${fmt(run.serverPeak)} MB, after GC ${fmt(run.serverProbe?.rss ?? Number.NaN)} MB), sim ${fmt(run.simRss)} MB (peak ${fmt(run.simPeak)} MB); steady CPU server ${fmt(run.serverIdleCpu)}%, sim ${fmt(run.simIdleCpu)}%`,
        );
        return run;
      } finally {
        client.close();
      }
    },
    cpuProfDir,
  );
}
