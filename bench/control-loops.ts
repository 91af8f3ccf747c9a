// The control-loops phase (`BENCH_ONLY=control-loops`): pod creates/s with 64 clients through
// `tandem server` with the scheduler and every controller on, their control loops in a worker
// thread, a child process, or inline on the API server's event loop, beside the same run's API
// server alone (`--controllers none`). Servers alternate (none, inline, thread, process, and again)
// so that the load of the shared box falls on every mode alike; each gets a fresh data dir.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from './http-load.js';
import { createPodTemplate } from './pod-fixture.js';
import { createPods, ensureNamespace, podNames } from './api-phases.js';
import { spawnTandemServer } from './server-proc.js';
import { wanted } from './cluster-phases.js';
import { cpuSeconds, loadText } from './machine.js';
import { fmt, median } from './stats.js';

const CLIENTS = 64;
const ROUNDS = Number(process.env['BENCH_LOOPS_ROUNDS'] ?? 2);
const MODES = ['none', 'inline', 'thread', 'process'] as const;
type Mode = (typeof MODES)[number];

const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds of one thread (the main thread's tid is the pid): the API server's event loop alone. */
function threadCpu(pid: number, tid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds of the server and its children (a process-mode host). */
function treeCpu(pid: number): number {
  let total = cpuSeconds(pid);
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]) === pid) total += cpuSeconds(Number(d));
    } catch {
      /* gone */
    }
  }
  return total;
}

interface Run {
  rate: number;
  /** main-thread (API event loop) CPU ms per pod created, over the 4 s load and the 3 s after it (the control loops catch up) */
  mainMsPerPod: number;
  /** the same for the server and its host, all threads and processes */
  totalMsPerPod: number;
}

async function createsPerSecond(dir: string, mode: Mode): Promise<Run> {
  const args = ['--store', 'sqlite', '--cluster-dns-listen', 'none'];
  args.push(...(mode === 'none' ? ['--controllers', 'none'] : ['--control-loops', mode]));
  const s = await spawnTandemServer(dir, args);
  const client = createClient(s.target, CLIENTS);
  try {
    await sleep(1500); // the control loops list and settle, as in run.ts's short servers
    await ensureNamespace(client, 'bench');
    const pods = createPodTemplate('bench');
    const names = podNames('bench');
    await createPods(client, pods, names, { concurrency: CLIENTS, durationMs: 500 });
    const pid = s.proc.pid ?? -1;
    const main0 = threadCpu(pid, pid);
    const total0 = treeCpu(pid);
    const r = await createPods(client, pods, names, { concurrency: CLIENTS, durationMs: 4000 });
    await sleep(3000);
    const created = r.rate * 4;
    if (r.errors) log(`control loops ${mode}: ${r.errors} errors (${r.firstError ?? ''})`);
    return {
      rate: r.rate,
      mainMsPerPod: ((threadCpu(pid, pid) - main0) * 1000) / created,
      totalMsPerPod: ((treeCpu(pid) - total0) * 1000) / created,
    };
  } finally {
    client.close();
    const exited = new Promise((res) => s.proc.once('exit', res));
    s.proc.kill('SIGTERM');
    await exited;
  }
}

export async function runControlLoopsPhase(): Promise<void> {
  if (!wanted('control-loops')) return;
  const root = mkdtempSync(join(tmpdir(), 'tandem-bench-loops-'));
  const runs: Record<Mode, Run[]> = { none: [], inline: [], thread: [], process: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES) {
        const run = await createsPerSecond(join(root, `${mode}-${round}`), mode);
        runs[mode].push(run);
        log(
          `control loops ${mode} (round ${round + 1}): ${fmt(run.rate)} pod creates/s with ${CLIENTS} clients; CPU ms per pod: API event loop ${fmt(run.mainMsPerPod, 2)}, all ${fmt(run.totalMsPerPod, 2)}`,
        );
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const of = (mode: Mode, k: keyof Run) => median(runs[mode].map((r) => r[k]));
  const alone = of('none', 'rate');
  const out = process.stdout;
  out.write(`\nControl loops off the API server's event loop: pod creates/s, ${CLIENTS} clients, ${ROUNDS} alternating rounds\n`);
  out.write(`load average at end ${loadText()}\n`);
  out.write(
    `  (creates/s: median [each round]; CPU ms per pod created, over the load and the 3 s after it: the API event loop's, and all threads' and processes')\n`,
  );
  for (const mode of MODES) {
    const m = of(mode, 'rate');
    const what = mode === 'none' ? 'API server alone (--controllers none)' : `all controllers, --control-loops ${mode}`;
    const ratio = mode === 'none' ? '' : `  ${fmt(m / alone, 2)} of API alone (target ≥ 0.5)${m / alone >= 0.5 ? ' ✓' : ' ✗'}`;
    const cpu = `event loop ${fmt(of(mode, 'mainMsPerPod'), 2)} ms/pod, all ${fmt(of(mode, 'totalMsPerPod'), 2)} ms/pod`;
    out.write(`  ${what.padEnd(42)} ${fmt(m).padStart(8)}/s  [${runs[mode].map((x) => fmt(x.rate)).join(', ')}]  ${cpu}${ratio}\n`);
  }
}
