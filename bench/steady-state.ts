// Bench phase `idle-steady` (issue 15, BENCH_ONLY=idle-steady): what an idle cluster costs. A default
// `tandem server` (SQLite, every control loop) and a `tandem sim` fleet of 5,000 nodes (BENCH_IDLE_NODES)
// sit idle for 60 s (BENCH_IDLE_SECONDS) after registration; the writes the server made in that window
// are counted from its side (one watch each on Leases, Nodes and Pods: MODIFIED events per second),
// with the CPU % of one core of the server and of the sim over the same window (from /proc/PID/stat).
// BENCH_IDLE_SETTLE (default 15 s) is the wait between registration and the window: the first Node
// status reports fall 150..450 s after registration (5 min ± half), so 270 s shows them too.
// BENCH_PROF_IDLE=1 writes a CPU profile of the server and prints its hot spots in the idle window.

import https from 'node:https';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wanted } from './cluster-phases.js';
import { startServerChild, startSimChild, type Child, type ServerChild } from './cluster-proc.js';
import type { Target } from './http-load.js';
import { fmt } from './stats.js';
import { loadProfile, renderProfile, summarizeProfile } from './prof-top.js';

const log = (s: string) => process.stderr.write(`[bench] idle-steady: ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Counter {
  counts: Map<string, number>;
  close(): void;
}

/** A watch that only counts event types (a cheap scan of each line's head, no parse). */
function countEvents(t: Target, path: string): Promise<Counter> {
  const counts = new Map<string, number>();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (t.token) headers['authorization'] = `Bearer ${t.token}`;
    const req = https.request({ host: t.host, port: t.port, path, method: 'GET', ca: t.ca, headers, agent: false });
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`watch ${path} answered ${res.statusCode}`));
        return;
      }
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines) {
          const m = /^\{"type":"([A-Z]+)"/.exec(l);
          if (m?.[1]) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
        }
      });
      res.on('error', () => undefined);
      resolve({ counts, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

interface IdleRun {
  nodes: number;
  seconds: number;
  perSecond: Record<string, number>;
  serverCpu: number;
  simCpu: number;
  serverRss: number;
  simRss: number;
  /** performance.now() at the window's start and end */
  from: number;
  to: number;
}

async function measureIdle(s: ServerChild, sim: Child, nodes: number, seconds: number): Promise<IdleRun> {
  const kinds: Record<string, string> = {
    leases: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases?watch=1&resourceVersion=0&allowWatchBookmarks=false',
    nodes: '/api/v1/nodes?watch=1',
    pods: '/api/v1/pods?watch=1',
  };
  // the initial ADDED events of resourceVersion=0 are not counted: only MODIFIED in the window
  const watches = await Promise.all(Object.entries(kinds).map(async ([k, p]) => [k, await countEvents(s.target, p)] as const));
  await sleep(2000);
  const base = new Map(watches.map(([k, w]) => [k, w.counts.get('MODIFIED') ?? 0]));
  const c0 = s.cpuSeconds();
  const sc0 = sim.cpuSeconds();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const t1 = performance.now();
  const el = (t1 - t0) / 1000;
  const serverCpu = (100 * (s.cpuSeconds() - c0)) / el;
  const simCpu = (100 * (sim.cpuSeconds() - sc0)) / el;
  const perSecond: Record<string, number> = {};
  for (const [k, w] of watches) {
    perSecond[k] = ((w.counts.get('MODIFIED') ?? 0) - (base.get(k) ?? 0)) / el;
    w.close();
  }
  return { nodes, seconds: el, perSecond, serverCpu, simCpu, serverRss: s.rssMb(), simRss: sim.rssMb(), from: t0, to: t1 };
}

export async function runIdleSteadyPhase(): Promise<void> {
  if (!wanted('idle-steady')) return;
  const nodes = Number(process.env['BENCH_IDLE_NODES'] ?? 5000);
  const seconds = Number(process.env['BENCH_IDLE_SECONDS'] ?? 60);
  const dir = mkdtempSync(join(tmpdir(), 'tandem-idle-'));
  let s: ServerChild | undefined;
  let sim: Child | undefined;
  const profDir = process.env['BENCH_PROF_IDLE'] ? join(dir, 'prof') : undefined;
  if (profDir) mkdirSync(profDir);
  let window: { from: number; to: number } | undefined;
  const spawned = performance.now();
  try {
    s = await startServerChild({ dataDir: join(dir, 'server'), store: 'sqlite', ...(profDir ? { cpuProfDir: profDir } : {}) });
    sim = await startSimChild(join(dir, 'server'), ['--nodes', String(nodes), '--os', 'linux', '--zones', '3'], 300_000);
    const settle = Number(process.env['BENCH_IDLE_SETTLE'] ?? 15);
    log(`${nodes} sim nodes registered in ${fmt(sim.readyMs)} ms; settling ${settle} s`);
    await sleep(settle * 1000);
    const r = await measureIdle(s, sim, nodes, seconds);
    window = r;
    const w = Object.entries(r.perSecond)
      .map(([k, v]) => `${k} ${fmt(v, 1)}/s`)
      .join(', ');
    log(`idle ${fmt(r.seconds, 0)} s with ${nodes} nodes: writes ${w}; CPU server ${fmt(r.serverCpu, 1)}%, sim ${fmt(r.simCpu, 1)}%`);
    process.stdout.write(
      `\nIdle steady state, ${nodes} sim nodes, ${fmt(r.seconds, 0)} s from ${settle} s after registration: MODIFIED/s ${w}; ` +
        `server CPU ${fmt(r.serverCpu, 1)}% of a core (target ≤ 25%), sim CPU ${fmt(r.simCpu, 1)}%; ` +
        `RSS server ${fmt(r.serverRss)} MB, sim ${fmt(r.simRss)} MB\n`,
    );
  } finally {
    await sim?.stop();
    await s?.stop();
    const file = profDir ? readdirSync(profDir).find((n) => n.endsWith('.cpuprofile')) : undefined;
    if (profDir && file && window) {
      const prof = loadProfile(join(profDir, file));
      // the profile's clock starts about when the child was spawned
      const at = (t: number) => prof.startTime + (t - spawned) * 1000;
      const w = { fromUs: at(window.from), toUs: at(window.to) };
      process.stdout.write(`\n${renderProfile('server CPU profile, idle window', summarizeProfile(prof, 25, w), 25)}\n`);
    }
    if (!process.env['BENCH_KEEP']) rmSync(dir, { recursive: true, force: true });
  }
}
