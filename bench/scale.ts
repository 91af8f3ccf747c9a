// Bench phase `scale` (issue 15, BENCH_ONLY=scale): the scalability envelope on one machine. Before the
// run, the same run's ceilings: the no-op HTTPS server and pod creates/s with 64 clients through
// `tandem server --controllers none` and through the default server. Then a default `tandem server`
// (SQLite, scheduler and controllers on) with a `tandem sim` fleet of 5,000 nodes; Deployments of 3,000
// replicas, one per namespace (L5: 3,000 pods per namespace), first totalling 30,000, then 150,000
// (skipped when the first step took longer than BENCH_SCALE_BUDGET_S). Per step: apply → all Ready,
// Ready pods/s from 1 s samples, GET/LIST/mutating p50/p90/p99 of a steady side load; then RSS and the
// idle CPU of both processes over a quiet window. Sizes come from the environment (scale-config.ts).

import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createPods, ensureNamespace, podNames } from './api-phases.js';
import { startSimChild, type Child } from './cluster-proc.js';
import { wanted } from './cluster-phases.js';
import { closedLoop, createClient, type Client, type LoadResult } from './http-load.js';
import { describeMachine, loadText } from './machine.js';
import { createPodTemplate } from './pod-fixture.js';
import { loadProfile, renderProfile, summarizeProfile } from './prof-top.js';
import { renderTable, renderTargets } from './report.js';
import { deploymentJson, scaleConfig, stepDeployments, type ScaleConfig } from './scale-config.js';
import { rateSummary, sampleReady, startSideLoad, type SideLoad } from './scale-load.js';
import { areaShares, renderAreas } from './scale-prof.js';
import { renderBreakdown, scaleRows, type Ceilings, type ScaleRun, type StepResult } from './scale-report.js';
import { requestProbe, startNoop, startTandem, type ServerProc } from './server-proc.js';
import { fmt } from './stats.js';

const CLIENTS = 64;
const NS_PREFIX = 'scale-';
const PROBE_NS = 'scale-probe';

const log = (s: string) => process.stderr.write(`[bench] scale: ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

async function creates64(s: ServerProc): Promise<LoadResult> {
  const client = createClient(s.target, CLIENTS);
  try {
    await ensureNamespace(client, 'bench');
    const pods = createPodTemplate('bench');
    const names = podNames('bench');
    await createPods(client, pods, names, { concurrency: CLIENTS, durationMs: 500 }); // warm-up
    return await createPods(client, pods, names, { concurrency: CLIENTS, durationMs: 4000 });
  } finally {
    client.close();
  }
}

/** No-op HTTPS, API alone, default server (no nodes): pod creates/s with 64 clients, one after the other. */
async function ceilings(root: string): Promise<Ceilings> {
  const apiDir = join(root, 'api-alone');
  const api = await startTandem({ dataDir: apiDir, controllers: 'none' });
  let apiAlone: LoadResult;
  try {
    apiAlone = await creates64(api);
  } finally {
    await api.stop();
  }
  const noop = await startNoop(join(apiDir, 'pki'));
  const client = createClient(noop.target, CLIENTS);
  let noopRes: LoadResult;
  try {
    const body = createPodTemplate('bench').body('noop-pod-00000');
    const op = async () => (await client.send('POST', '/api/v1/namespaces/bench/pods', body)).status === 201;
    await closedLoop({ concurrency: CLIENTS, durationMs: 500, op });
    noopRes = await closedLoop({ concurrency: CLIENTS, durationMs: 4000, op });
  } finally {
    client.close();
    await noop.stop();
  }
  const full = await startTandem({ dataDir: join(root, 'default-server') });
  let defaultServer: LoadResult;
  try {
    defaultServer = await creates64(full);
  } finally {
    await full.stop();
  }
  log(
    `creates/s with ${CLIENTS} clients: no-op ${fmt(noopRes.rate)}, API alone ${fmt(apiAlone.rate)}, default server ${fmt(defaultServer.rate)}`,
  );
  return { noop: noopRes, apiAlone, defaultServer };
}

interface StepCtx {
  cfg: ScaleConfig;
  s: ServerProc;
  sim: Child;
  client: Client;
  side: SideLoad;
}

/** Apply the Deployments taking the total from `fromPods` to `toPods`; wait for all Ready (or give up). */
async function runStep(c: StepCtx, label: string, fromPods: number, toPods: number): Promise<StepResult> {
  const deps = stepDeployments(fromPods, toPods, c.cfg.perNs);
  for (const d of deps) await ensureNamespace(c.client, d.ns);
  c.side.reset();
  const cpu0 = c.s.cpuSeconds();
  const simCpu0 = c.sim.cpuSeconds();
  const fromUs = nowUs();
  const t0 = performance.now();
  const sampler = sampleReady(c.client, NS_PREFIX, t0);
  let peakServer = 0;
  let peakSim = 0;
  try {
    for (const d of deps) {
      const r = await c.client.send('POST', `/apis/apps/v1/namespaces/${d.ns}/deployments`, deploymentJson('app', d.replicas));
      if (r.status !== 201) throw new Error(`creating deployment in ${d.ns}: HTTP ${r.status} ${r.body ?? ''}`);
    }
    const applyMs = performance.now() - t0;
    log(`${label}: ${deps.length} Deployments applied in ${fmt(applyMs)} ms; waiting for ${fmt(toPods, 0)} Ready`);
    let lastReady = -1;
    let lastProgress = performance.now();
    let nextLog = performance.now() + 5000;
    let allReadyMs = Number.NaN;
    let gaveUp = '';
    for (;;) {
      await sleep(250);
      const now = performance.now();
      const cur = sampler.latest();
      peakServer = Math.max(peakServer, c.s.rssMb());
      peakSim = Math.max(peakSim, c.sim.rssMb());
      if (cur.ready !== lastReady) {
        lastReady = cur.ready;
        lastProgress = now;
      }
      if (cur.ready >= toPods) {
        allReadyMs = cur.atMs;
        break;
      }
      if (now - t0 > c.cfg.timeoutS * 1000) {
        gaveUp = `timeout ${c.cfg.timeoutS} s`;
        break;
      }
      if (now - lastProgress > c.cfg.stallS * 1000) {
        gaveUp = `no new Ready pod for ${c.cfg.stallS} s`;
        break;
      }
      if (now >= nextLog) {
        nextLog += 5000;
        const side = c.side.snapshot();
        log(
          `${label} ${fmt((now - t0) / 1000, 0)} s: ${fmt(cur.ready - fromPods, 0)}/${fmt(toPods - fromPods, 0)} Ready (${fmt(cur.created - fromPods, 0)} created); server RSS ${fmt(c.s.rssMb(), 0)} MB, sim ${fmt(c.sim.rssMb(), 0)} MB; side p99 GET ${fmt(side.get.p99, 0)} / LIST ${fmt(side.list.p99, 0)} / write ${fmt(side.mutate.p99, 0)} ms; load ${loadText()}`,
        );
      }
    }
    const rates = rateSummary(sampler.samples, fromPods);
    const result: StepResult = {
      label,
      fromPods,
      toPods,
      deployments: deps.length,
      ready: sampler.latest().ready,
      allReadyMs,
      gaveUp,
      rates,
      side: c.side.snapshot(),
      serverCpuS: c.s.cpuSeconds() - cpu0,
      simCpuS: c.sim.cpuSeconds() - simCpu0,
      peakServerRss: peakServer,
      peakSimRss: peakSim,
      window: { fromUs, toUs: nowUs() },
    };
    log(
      `${label}: ${gaveUp ? `gave up (${gaveUp}) at ${fmt(result.ready - fromPods, 0)} Ready` : `all ${fmt(toPods - fromPods, 0)} Ready in ${fmt(allReadyMs / 1000, 1)} s`}; Ready pods/s min ${fmt(rates.min)} avg ${fmt(rates.avg)} max ${fmt(rates.max)}`,
    );
    return result;
  } finally {
    sampler.stop();
  }
}

async function scaleServer(cfg: ScaleConfig, root: string, profDir: string | undefined): Promise<Omit<ScaleRun, 'ceilings' | 'cfg'>> {
  const dataDir = join(root, 'scale');
  const s = await startTandem({ dataDir, ...(profDir ? { cpuProfDir: profDir } : {}) });
  let sim: Child | undefined;
  const client = createClient(s.target, 8);
  const sideClient = createClient(s.target, 48);
  let side: SideLoad | undefined;
  const steps: StepResult[] = [];
  try {
    log(`server ready in ${fmt(s.readyMs)} ms; starting tandem sim with ${fmt(cfg.nodes, 0)} nodes`);
    sim = await startSimChild(dataDir, ['--nodes', String(cfg.nodes), '--os', 'linux', '--zones', '3'], 900_000);
    log(
      `${fmt(cfg.nodes, 0)} sim nodes registered in ${fmt(sim.readyMs / 1000, 1)} s (server RSS ${fmt(s.rssMb())} MB, sim ${fmt(sim.rssMb())} MB)`,
    );
    await ensureNamespace(client, PROBE_NS);
    const probe = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'probe' },
      spec: { containers: [{ name: 'main', image: 'nginx:1.25' }] },
    };
    const pr = await client.send('POST', `/api/v1/namespaces/${PROBE_NS}/pods`, JSON.stringify(probe));
    if (pr.status !== 201) throw new Error(`creating the probe pod: HTTP ${pr.status} ${pr.body ?? ''}`);
    side = startSideLoad(sideClient, {
      ns: PROBE_NS,
      getPath: `/api/v1/namespaces/${PROBE_NS}/pods/probe`,
      listPath: `/api/v1/namespaces/${NS_PREFIX}0/pods?limit=500`,
      getRate: cfg.sideRate,
      listRate: Math.max(1, Math.round((2 * cfg.sideRate) / 5)),
      mutateRate: cfg.sideRate,
    });
    const ctx: StepCtx = { cfg, s, sim, client, side };
    const first = await runStep(ctx, `step 1 (${fmt(cfg.pods, 0)})`, 0, cfg.pods);
    steps.push(first);
    let skipped = '';
    if (cfg.podsMax === 0) skipped = 'BENCH_SCALE_PODS_MAX=0';
    else if (first.gaveUp) skipped = `step 1 did not complete (${first.gaveUp})`;
    else if (first.allReadyMs > cfg.budgetS * 1000)
      skipped = `step 1 took ${fmt(first.allReadyMs / 1000, 0)} s > BENCH_SCALE_BUDGET_S=${cfg.budgetS}`;
    if (skipped) log(`step 2 (${fmt(cfg.podsMax, 0)}) skipped: ${skipped}`);
    else steps.push(await runStep(ctx, `step 2 (${fmt(cfg.podsMax, 0)})`, cfg.pods, cfg.podsMax));
    await side.stop();
    side = undefined;
    // quiet window: nothing changes but heartbeats and whatever the control loops do on their own
    log(`idle window of ${cfg.idleS} s`);
    await sleep(3000);
    const c0 = s.cpuSeconds();
    const sc0 = sim.cpuSeconds();
    const idleFromUs = nowUs();
    await sleep(cfg.idleS * 1000);
    const idle = {
      serverCpu: (100 * (s.cpuSeconds() - c0)) / cfg.idleS,
      simCpu: (100 * (sim.cpuSeconds() - sc0)) / cfg.idleS,
      window: { fromUs: idleFromUs, toUs: nowUs() },
    };
    // RSS as the server holds it, before the probe's full GCs (which may hand pages back); then the
    // breakdown of the settled cluster (after the CPU figure, which the GCs would disturb)
    const serverRss = s.rssMb();
    const memory = await requestProbe(s.pid, s.output, 120_000);
    const run = {
      memory,
      steps,
      skipped,
      simRegisterMs: sim.readyMs,
      idle,
      serverRss,
      serverPeak: s.peakRssMb(),
      simRss: sim.rssMb(),
      simPeak: sim.peakRssMb(),
      serverPid: s.pid,
      heapTrims: s
        .output()
        .split('\n')
        .filter((l) => l.includes('heap trimmed after a burst'))
        .map((l) => {
          const m = /(\S+): heap trimmed after a burst\s*(.*)$/.exec(l);
          return m ? `${m[1]} ${m[2]}` : l.trim();
        }),
    };
    log(
      `idle: server ${fmt(idle.serverCpu)}% of a core, sim ${fmt(idle.simCpu)}%; RSS server ${fmt(run.serverRss)} MB (peak ${fmt(run.serverPeak)}), sim ${fmt(run.simRss)} MB (peak ${fmt(run.simPeak)})`,
    );
    return run;
  } finally {
    await side?.stop();
    client.close();
    sideClient.close();
    await sim?.stop(30_000);
    // a CPU profile of minutes takes a while to write at exit
    await s.stop(profDir ? 120_000 : 30_000);
  }
}

function printProfile(profDir: string, run: ScaleRun): void {
  // Node names each isolate's profile CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: the main
  // thread is thread 0, the control loops' worker and the checkpointer have their own files.
  const threadOf = (n: string) => Number(/\.(\d+)\.\d+\.cpuprofile$/.exec(n)?.[1] ?? 0);
  const files = readdirSync(profDir)
    .filter((n) => n.endsWith('.cpuprofile') && n.includes(`.${run.serverPid}.`))
    .sort((a, b) => threadOf(a) - threadOf(b));
  if (files.length === 0) {
    process.stdout.write(`no CPU profile was written in ${profDir}\n`);
    return;
  }
  const out = process.stdout;
  for (const file of files) {
    const tid = threadOf(file);
    const who = tid === 0 ? 'scale server' : `scale server thread ${tid}`;
    const keep = join(tmpdir(), `tandem-bench-scale-${run.serverPid}-${tid}.cpuprofile`);
    copyFileSync(join(profDir, file), keep);
    const prof = loadProfile(keep);
    out.write(`\n${renderAreas(`${who}, whole run`, areaShares(prof))}\n`);
    if (tid === 0) {
      for (const st of run.steps) {
        out.write(`\n${renderAreas(`${who}, ${st.label}`, areaShares(prof, st.window))}\n`);
        out.write(`\n${renderProfile(`${who}, ${st.label}`, summarizeProfile(prof, 15, st.window), 15)}\n`);
      }
    }
    out.write(`\n${renderAreas(`${who}, idle window`, areaShares(prof, run.idle.window))}\n`);
    out.write(`\n${renderProfile(`${who}, idle window`, summarizeProfile(prof, 12, run.idle.window), 12)}\n`);
    out.write(`\nprofile kept at ${keep} (node dist/bench/prof-top.js FILE)\n`);
  }
}

/** `npm run bench` phase `scale` (BENCH_ONLY=scale runs it alone): progress on stderr, figures on stdout. */
export async function runScalePhase(): Promise<void> {
  if (!wanted('scale')) return;
  const cfg = scaleConfig();
  const t0 = Date.now();
  const root = mkdtempSync(join(tmpdir(), 'tandem-bench-scale-'));
  const machine = describeMachine(root);
  const profDir = cfg.profile ? join(root, 'prof') : undefined;
  if (profDir) mkdirSync(profDir);
  try {
    log(
      `${fmt(cfg.nodes, 0)} nodes, ${fmt(cfg.pods, 0)} then ${cfg.podsMax ? fmt(cfg.podsMax, 0) : 'no second step'} replicas, ${fmt(cfg.perNs, 0)} per namespace`,
    );
    const c = await ceilings(root);
    const r = await scaleServer(cfg, root, profDir);
    const run: ScaleRun = { ...r, ceilings: c, cfg };
    const out = process.stdout;
    out.write('\nTandem scale benchmark (issue 15): default tandem server (SQLite, scheduler and controllers on) + tandem sim\n');
    out.write(
      `machine: ${machine.cpu}, ${machine.cores} cores, ${fmt(machine.ramGb, 1)} GB RAM, Node ${machine.node}, ${machine.kernel}; load at start ${machine.load}, at end ${loadText()}\n`,
    );
    out.write(
      'server, sim and the measuring client share the cores (and any other work on the box): rough figures. "all Ready" is read from the Deployments\' status.readyReplicas sampled once a second.\n',
    );
    out.write('anchors: /work/shared/notes/perf-anchors.md\n\n');
    const rows = scaleRows(run);
    out.write(`${renderTable(rows)}\n\n${renderTargets(rows)}\n`);
    for (const st of run.steps) out.write(`\n${st.label} Ready over time (pods Ready since apply): ${st.rates.timeline}\n`);
    if (run.skipped) out.write(`\nstep 2 skipped: ${run.skipped}\n`);
    out.write(`\nserver ${renderBreakdown(run.memory)}\n`);
    out.write(`\nscale phase took ${fmt((Date.now() - t0) / 1000, 1)} s\n`);
    if (profDir) printProfile(profDir, run);
  } finally {
    if (process.env['BENCH_KEEP']) log(`data kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}
