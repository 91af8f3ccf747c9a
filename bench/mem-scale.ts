// Where the scale server's memory goes, on a cluster smaller than the scale phase's so it can be
// run again and again: a default `tandem server` (SQLite, control loops in their worker) with a
// `tandem sim` fleet, Deployments added step by step; after each step all Ready, a quiet pause, then
// the probe (bench/server-probe.ts: full GC in every isolate) gives RSS, the main and worker heaps
// and the native rest. Run: node dist/bench/mem-scale.js, sizes from the environment:
//   MEM_NODES (default 1000), MEM_STEPS (total pods after each step, default "10000,30000"),
//   MEM_SERVER_V8_FLAGS (V8 flags for the server only, e.g. "--heap-growing-percent=20"),
//   MEM_SETTLE_S (the pause after all Ready before the probe, default 75 s), MEM_STEP_TIMEOUT_S
//   (default 900), MEM_SERVER_LOG (a file for the server's output, written at the end),
//   BENCH_PROBE_SNAPSHOT_DIR (each isolate writes a heap snapshot at every probe).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureNamespace } from './api-phases.js';
import { startSimChild, type Child } from './cluster-proc.js';
import { createClient } from './http-load.js';
import { loadText } from './machine.js';
import { deploymentJson, stepDeployments } from './scale-config.js';
import { renderBreakdown } from './scale-report.js';
import { sampleReady } from './scale-load.js';
import { requestProbe, startTandem, type Probe } from './server-proc.js';
import { fmt } from './stats.js';

const log = (s: string) => process.stderr.write(`[mem] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function steps(): number[] {
  const raw = process.env['MEM_STEPS'] ?? '10000,30000';
  const out = raw.split(',').map((s) => Number(s.trim()));
  if (out.some((n, i) => !Number.isInteger(n) || n < 0 || (i > 0 && n <= (out[i - 1] ?? 0))))
    throw new Error(`MEM_STEPS: expected increasing pod totals separated by commas, got ${JSON.stringify(raw)}`);
  return out;
}

async function main(): Promise<void> {
  const nodes = Number(process.env['MEM_NODES'] ?? '1000');
  if (!Number.isInteger(nodes) || nodes < 1) throw new Error(`MEM_NODES: expected a positive integer, got ${process.env['MEM_NODES']}`);
  const totals = steps();
  const settleS = Number(process.env['MEM_SETTLE_S'] ?? '75');
  const stepTimeoutS = Number(process.env['MEM_STEP_TIMEOUT_S'] ?? '900');
  const root = mkdtempSync(join(tmpdir(), 'tandem-bench-mem-'));
  const dataDir = join(root, 'scale');
  const serverOpts = process.env['MEM_SERVER_V8_FLAGS'];
  // read by server-probe.ts in the server child only (the sim is started without it)
  if (serverOpts) process.env['BENCH_PROBE_V8_FLAGS'] = serverOpts;
  const s = await startTandem({ dataDir }).catch((e: unknown) => {
    rmSync(root, { recursive: true, force: true });
    throw e;
  });
  delete process.env['BENCH_PROBE_V8_FLAGS'];
  let sim: Child | undefined;
  const client = createClient(s.target, 8);
  const rows: { label: string; probe: Probe | undefined; peak: number; cpuS: number }[] = [];
  try {
    sim = await startSimChild(dataDir, ['--nodes', String(nodes), '--os', 'linux', '--zones', '3'], 900_000);
    log(`${nodes} nodes registered in ${fmt(sim.readyMs / 1000, 1)} s; server options ${serverOpts ?? '(none)'}`);
    await sleep(5000);
    rows.push({
      label: `${nodes} nodes, 0 pods`,
      probe: await requestProbe(s.pid, s.output, 60_000),
      peak: s.peakRssMb(),
      cpuS: s.cpuSeconds(),
    });
    let from = 0;
    for (const to of totals) {
      const deps = stepDeployments(from, to, 3000);
      for (const d of deps) await ensureNamespace(client, d.ns);
      const t0 = performance.now();
      const sampler = sampleReady(client, 'scale-', t0);
      for (const d of deps) {
        const r = await client.send('POST', `/apis/apps/v1/namespaces/${d.ns}/deployments`, deploymentJson('app', d.replicas));
        if (r.status !== 201) throw new Error(`creating deployment in ${d.ns}: HTTP ${r.status} ${r.body ?? ''}`);
      }
      while (sampler.latest().ready < to) {
        await sleep(1000);
        if (performance.now() - t0 > stepTimeoutS * 1000)
          throw new Error(`step to ${to}: ${sampler.latest().ready} of ${to} Ready after ${stepTimeoutS} s`);
      }
      sampler.stop();
      log(
        `${to} Ready in ${fmt((performance.now() - t0) / 1000, 1)} s; RSS ${fmt(s.rssMb(), 0)} MB (peak ${fmt(s.peakRssMb(), 0)}); load ${loadText()}`,
      );
      // the figures are of a settled state
      await sleep(settleS * 1000);
      log(`after ${settleS} s settled: RSS ${fmt(s.rssMb(), 0)} MB (before the probe's full GCs)`);
      rows.push({
        label: `${nodes} nodes, ${to} pods`,
        probe: await requestProbe(s.pid, s.output, 120_000),
        peak: s.peakRssMb(),
        cpuS: s.cpuSeconds(),
      });
      from = to;
    }
  } finally {
    const logFile = process.env['MEM_SERVER_LOG'];
    if (logFile) writeFileSync(logFile, s.output());
    client.close();
    await sim?.stop(30_000);
    await s.stop(30_000);
    rmSync(root, { recursive: true, force: true });
  }
  for (const r of rows) {
    process.stdout.write(`\n${r.label}: peak RSS ${fmt(r.peak, 0)} MB, server CPU so far ${fmt(r.cpuS, 0)} s\n`);
    process.stdout.write(`${renderBreakdown(r.probe)}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
