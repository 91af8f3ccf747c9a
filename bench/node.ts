// Bench phase `node` (issue 4): pod start-up latency on a real containerd beside the raw CRI time
// measured in the same run, and the agent's memory. Skipped with a message when this host cannot
// run pods (not root, containerd/runc/CNI/ip missing).
//
// 1. raw CRI: RunPodSandbox + CreateContainer + StartContainer of 20 busybox httpd pods, one after the
//    other, on a separate private containerd (so nothing interferes with the agent's instance);
// 2. `tandem up`: 20 pods created one by one, each from just before its POST to the first watch event
//    showing it Running with its container started; RSS of the process (control plane + agent) idle
//    and with the 20 pods, and of its containerd;
// 3. `tandem server` + `tandem agent` as separate processes: the agent's own RSS idle and with 20 pods,
//    and the start-up of 20 pods created all at once. (The agent keeps V8's young generation at its
//    initial size itself: see the agent command in src/cli/main.ts.)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client, type Target } from './http-load.js';
import { probeFlags, requestProbe, spawnUntilReady, startTandem, targetOf, TANDEM, type Probe, type ServerProc } from './server-proc.js';
import { rssMb } from './machine.js';
import { summarize, fmt, type LatencySummary } from './stats.js';
import { deleteAll, ensureNamespace, startBurst, startSequential, watchPods } from './node-pods.js';
import { containerdPid, memoryOf, nodeSkipReason, randomNodePodCidr, shimPids, teardownNode } from '../test/e2e/node-support.js';
import { prepareTestImages, measureRawCriStartup, type TestImages } from '../test/images/index.js';
import { startTestContainerd } from '../test/images/containerd-env.js';
import { wanted } from './cluster-phases.js';
import { renderProcess, runProcessBench } from './process-node.js';
import type { ChildProcess } from 'node:child_process';

const NODE_PODS = 20;
const NS = 'bench-node';
/** pods running, before memory is read: a few sync and status rounds */
const SETTLE_MS = 8000;

interface NodeFigures {
  raw: { p50: number; p99: number; sandboxP50: number; createP50: number; startP50: number };
  seq: LatencySummary;
  burst: LatencySummary;
  up: {
    idle: Mem;
    with20: Mem;
    gc20: Probe | undefined;
    containerdIdle: number;
    containerd20: number;
    shims20: number;
    shimsPss20: number;
    shimCount: number;
  };
  agent: { idle: Mem; with20: Mem; gc20: Probe | undefined; serverRss20: number };
  teardownMs: number;
}

type Mem = ReturnType<typeof memoryOf>;

export type NodeResult = { skipped: string } | { figures: NodeFigures; seconds: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const names = (prefix: string) => Array.from({ length: NODE_PODS }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);

/** One warm-up pod (the image pull), deleted again before the measured pods. */
async function warmUp(c: Client, t: Target, image: string): Promise<void> {
  const w = await watchPods(t, NS);
  try {
    await startSequential(c, w, NS, ['warm-up'], image);
    await deleteAll(c, NS, ['warm-up']);
  } finally {
    w.close();
  }
}

async function rawCri(images: TestImages, log: (s: string) => void): Promise<NodeFigures['raw']> {
  const env = await startTestContainerd({ pauseImageArchive: images.archives.pause });
  try {
    const r = await measureRawCriStartup(env.runtime, images.images, NODE_PODS, {
      cgroupRoot: `/${env.cgroupRoot}/bench`,
      cleanup: (uid, parent) => env.platform.cleanupPod(uid, parent),
    });
    log(
      `raw CRI: ${r.n} pods one by one, p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms (sandbox ${fmt(r.sandboxP50)}, create ${fmt(r.createP50)}, start ${fmt(r.startP50)})`,
    );
    return { p50: r.p50, p99: r.p99, sandboxP50: r.sandboxP50, createP50: r.createP50, startP50: r.startP50 };
  } finally {
    await env.stop();
  }
}

async function upPhase(
  root: string,
  image: string,
  log: (s: string) => void,
): Promise<{ seq: LatencySummary; up: NodeFigures['up']; teardownMs: number }> {
  const dataDir = join(root, 'up');
  const cidr = randomNodePodCidr();
  const agentDir = join(dataDir, 'agent');
  const r = await spawnUntilReady({
    args: [TANDEM, 'up', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--pod-cidr', cidr],
    nodeFlags: probeFlags(),
    readyPattern: /node \S+ ready \(pods on/,
    timeoutMs: 60_000,
  });
  const url = /ready in \d+ ms at (https:\/\/\S+)/.exec(r.output())?.[1] ?? '';
  const pid = r.proc.pid ?? -1;
  const t = targetOf(dataDir, url);
  const c = createClient(t, 8);
  let teardownMs = Number.NaN;
  try {
    await ensureNamespace(c, NS);
    await warmUp(c, t, image);
    await sleep(2000);
    const idle = memoryOf(pid);
    const ctrd = containerdPid(agentDir);
    const containerdIdle = ctrd ? rssMb(ctrd) : Number.NaN;
    const w = await watchPods(t, NS);
    const pods = names('seq');
    let seq: LatencySummary;
    try {
      seq = summarize(await startSequential(c, w, NS, pods, image));
    } finally {
      w.close();
    }
    log(`tandem up: ${NODE_PODS} pods one by one, p50 ${fmt(seq.p50)} ms, p99 ${fmt(seq.p99)} ms`);
    await sleep(SETTLE_MS);
    const with20 = memoryOf(pid);
    const gc20 = await requestProbe(pid, r.output);
    const containerd20 = ctrd ? rssMb(ctrd) : Number.NaN;
    const shims = shimPids(agentDir);
    const shims20 = shims.reduce((s, p) => s + (rssMb(p) || 0), 0);
    const shimsPss20 = shims.reduce((s, p) => s + (memoryOf(p).pss || 0), 0);
    log(
      `tandem up RSS: idle ${fmt(idle.rss)} MB, ${NODE_PODS} pods ${fmt(with20.rss)} MB (after GC ${fmt(gc20?.rss ?? Number.NaN)}); containerd ${fmt(containerdIdle)} → ${fmt(containerd20)} MB; ${shims.length} shims ${fmt(shims20)} MB`,
    );
    teardownMs = await deleteAll(c, NS, pods);
    return { seq, up: { idle, with20, gc20, containerdIdle, containerd20, shims20, shimsPss20, shimCount: shims.length }, teardownMs };
  } finally {
    c.close();
    await stopProc(r.proc);
    await teardownNode(agentDir, cidr, log);
  }
}

async function stopProc(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  await new Promise<void>((res) => {
    const kill = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.once('exit', () => {
      clearTimeout(kill);
      res();
    });
    p.kill('SIGTERM');
  });
}

type AgentRun = { burst: LatencySummary; agent: NodeFigures['agent'] };

/** `tandem agent` as its own process against `server`, with extra node flags; 20 pods created at once. */
async function agentRun(
  server: ServerProc,
  serverDir: string,
  agentRoot: string,
  extraFlags: string[],
  image: string,
  log: (s: string) => void,
): Promise<AgentRun> {
  const agentDir = join(agentRoot, 'agent');
  const cidr = randomNodePodCidr();
  const label = extraFlags.length ? `agent (node ${extraFlags.join(' ')})` : 'agent';
  const c = createClient(server.target, 8);
  let agent: Awaited<ReturnType<typeof spawnUntilReady>> | undefined;
  try {
    agent = await spawnUntilReady({
      args: [
        TANDEM,
        'agent',
        '--kubeconfig',
        join(serverDir, 'kubeconfig'),
        '--data-dir',
        agentRoot,
        '--pod-cidr',
        cidr,
        '--streaming-port',
        '0',
      ],
      nodeFlags: [...extraFlags, ...probeFlags()],
      readyPattern: /node \S+ ready: joined/,
      timeoutMs: 60_000,
    });
    const pid = agent.proc.pid ?? -1;
    await ensureNamespace(c, NS);
    await warmUp(c, server.target, image);
    await sleep(2000);
    const idle = memoryOf(pid);
    const w = await watchPods(server.target, NS);
    const pods = names('burst');
    let burst: LatencySummary;
    try {
      burst = summarize(await startBurst(c, w, NS, pods, image));
    } finally {
      w.close();
    }
    log(`server + ${label}: ${NODE_PODS} pods at once, p50 ${fmt(burst.p50)} ms, p99 ${fmt(burst.p99)} ms`);
    await sleep(SETTLE_MS);
    const with20 = memoryOf(pid);
    const gc20 = await requestProbe(pid, agent.output);
    const serverRss20 = server.rssMb();
    log(
      `${label} RSS: idle ${fmt(idle.rss)} MB, ${NODE_PODS} pods ${fmt(with20.rss)} MB (after GC ${fmt(gc20?.rss ?? Number.NaN)}, heap used ${fmt(gc20?.heapUsed ?? Number.NaN)} of ${fmt(gc20?.heapTotal ?? Number.NaN)}); server ${fmt(serverRss20)} MB`,
    );
    await deleteAll(c, NS, pods);
    return { burst, agent: { idle, with20, gc20, serverRss20 } };
  } finally {
    c.close();
    if (agent) await stopProc(agent.proc);
    await teardownNode(agentDir, cidr, log);
  }
}

/** `tandem server` plus `tandem agent` as separate processes. */
async function splitPhase(root: string, image: string, log: (s: string) => void): Promise<{ plain: AgentRun }> {
  const serverDir = join(root, 'server');
  const server = await startTandem({ dataDir: serverDir });
  try {
    const plain = await agentRun(server, serverDir, join(root, 'agent'), [], image, log);
    return { plain };
  } finally {
    await server.stop();
  }
}

export async function runNodeBench(log: (s: string) => void): Promise<NodeResult> {
  const why = nodeSkipReason();
  if (why) return { skipped: why };
  const t0 = Date.now();
  const root = mkdtempSync(join(tmpdir(), 'tandem-bench-node-'));
  const images = await prepareTestImages({});
  try {
    const raw = await rawCri(images, log);
    const up = await upPhase(root, images.images.busybox, log);
    const split = await splitPhase(root, images.images.busybox, log);
    return {
      figures: { raw, seq: up.seq, up: up.up, teardownMs: up.teardownMs, burst: split.plain.burst, agent: split.plain.agent },
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    await images.registry.stop();
    if (!process.env['BENCH_KEEP']) rmSync(root, { recursive: true, force: true });
  }
}

const memText = (m: Mem, gc: Probe | undefined) =>
  `(PSS ${fmt(m.pss)}, anonymous ${fmt(m.anon)}; after a full GC ${fmt(gc?.rss ?? Number.NaN)} MB RSS, JS heap used ${fmt(gc?.heapUsed ?? Number.NaN)} of ${fmt(gc?.heapTotal ?? Number.NaN)} MB)`;
const mark = (ok: boolean) => (ok ? '✓' : '✗');

/** The phase's table and its targets, as text. */
export function renderNode(r: NodeResult): string {
  if ('skipped' in r) return `Node (issue 4): skipped: ${r.skipped}\n`;
  const f = r.figures;
  const lines = [
    `Node (issue 4): busybox httpd pods on a private containerd 1.6 (${fmt(r.seconds, 0)} s)`,
    `  pod start-up, ${NODE_PODS} pods created one by one (POST → watch shows Running, container started), tandem up:`,
    `      p50 ${fmt(f.seq.p50)} ms, p99 ${fmt(f.seq.p99)} ms (max ${fmt(f.seq.max)}, mean ${fmt(f.seq.mean)})`,
    `  raw CRI RunPodSandbox+CreateContainer+StartContainer, ${NODE_PODS} pods one by one, same run, own containerd:`,
    `      p50 ${fmt(f.raw.p50)} ms, p99 ${fmt(f.raw.p99)} ms (sandbox ${fmt(f.raw.sandboxP50)}, create ${fmt(f.raw.createP50)}, start ${fmt(f.raw.startP50)} ms p50)`,
    `  pod start-up, ${NODE_PODS} pods created at once (server + agent processes): p50 ${fmt(f.burst.p50)} ms, p99 ${fmt(f.burst.p99)} ms`,
    `  agent alone (tandem agent process): RSS idle ${fmt(f.agent.idle.rss)} MB, with ${NODE_PODS} pods ${fmt(f.agent.with20.rss)} MB ${memText(f.agent.with20, f.agent.gc20)}; its server ${fmt(f.agent.serverRss20)} MB`,
    `  tandem up (control plane + agent): RSS idle ${fmt(f.up.idle.rss)} MB, with ${NODE_PODS} pods ${fmt(f.up.with20.rss)} MB ${memText(f.up.with20, f.up.gc20)}`,
    `  containerd: RSS idle ${fmt(f.up.containerdIdle)} MB, with ${NODE_PODS} pods ${fmt(f.up.containerd20)} MB; ${f.up.shimCount} shims ${fmt(f.up.shims20)} MB RSS, ${fmt(f.up.shimsPss20)} MB PSS together`,
    `  deleting the ${NODE_PODS} pods (grace 1 s) until gone: ${fmt(f.teardownMs)} ms`,
    '',
    'Node targets:',
    `  ${mark(f.seq.p99 < 1000)} pod start-up p99 < 1 s: ${fmt(f.seq.p99)} ms`,
    `  ${mark(f.seq.p99 <= 1.5 * f.raw.p99)} p99 within 1.5× raw CRI p99: ${fmt(f.seq.p99 / f.raw.p99, 2)}× (p50: ${fmt(f.seq.p50 / f.raw.p50, 2)}×)`,
    `  ${mark(f.agent.with20.rss <= 80)} agent RSS ≤ 80 MB with ${NODE_PODS} pods: ${fmt(f.agent.with20.rss)} MB (PSS ${fmt(f.agent.with20.pss)} MB, anonymous ${fmt(f.agent.with20.anon)} MB)`,
  ];
  return `${lines.join('\n')}\n`;
}

/** `npm run bench` phase `node` (BENCH_ONLY=node runs it alone): progress on stderr, the figures on stdout. */
export async function runNodePhase(): Promise<void> {
  let containerd: LatencySummary | undefined;
  if (wanted('node')) {
    const log = (s: string) => process.stderr.write(`[bench] node: ${s}\n`);
    const r = await runNodeBench(log);
    if ('skipped' in r) log(`skipped: ${r.skipped}`);
    else containerd = r.figures.seq;
    process.stdout.write(`\n${renderNode(r)}`);
  }
  if (wanted('process')) {
    const log = (s: string) => process.stderr.write(`[bench] process: ${s}\n`);
    process.stdout.write(`\n${renderProcess(await runProcessBench(log), containerd)}`);
  }
}
