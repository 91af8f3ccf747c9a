// `npm run bench`: the API server's figures in one run, each beside its upstream or same-box anchor
// (perf-anchors B2, B3, B6, B7) and the issue's targets with ✓/✗. Progress goes to stderr, the table
// to stdout. Never fails on time: exit 0 unless something crashes.
//
// Environment: BENCH_PROF=1 profiles the main SQLite server child (node --cpu-prof) and prints its hot
// spots per phase; BENCH_KEEP=1 keeps the temporary data dirs. BENCH_ONLY=api,scheduler,deployment,rss,node,process,network,image-facts,auth
// runs only the named phases (see cluster-phases.ts; the scheduler and cluster phases follow the API ones).
// Issue 15's phases: fairness, metrics, durability, control-loops, store-memory, lease-renewal,
// informer-memory, idle-steady, and scale: 5,000 sim nodes and 30,000 → 150,000 replicas (bench/scale.ts;
// sizes in scale-config.ts; many minutes, so it runs last).
// Issue 17's phase: etcd (bench/etcd.ts: SQLite, 1- and 3-member etcd, beside etcd's raw puts).
// Issue 18's phase: ui (bench/ui.ts: the web view in headless Chromium, first render and fps).

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closedLoop, createClient, type LoadResult } from './http-load.js';
import { createPodTemplate } from './pod-fixture.js';
import { describeMachine, loadText } from './machine.js';
import { startNoop, startTandem, type ServerProc } from './server-proc.js';
import { createPods, ensureNamespace, getPods, listPods, podNames } from './api-phases.js';
import { broadcastDriver, podDriver, runWatchFanout, type FanoutOptions, type FanoutResult } from './watch-fanout.js';
import { renderTable, renderTargets } from './report.js';
import { buildRows, type Figures, type RawSqlite, type ShortFigures } from './figures.js';
import { createPhaseMeter, type PhaseMeter } from './phase-meter.js';
import { fmt } from './stats.js';
import { loadProfile, renderProfile, summarizeProfile } from './prof-top.js';
import { runClusterPhases, wanted } from './cluster-phases.js';
import { runNodePhase } from './node.js';
import { runNetworkPhase } from './network.js';
import { runImageFactsPhase } from './image-facts.js';
import { runAuthPhase } from './auth.js';
import { runCrdPhase } from './crd.js';
import { runFairnessPhase } from './fairness.js';
import { runMetricsCostPhase } from './metrics-cost.js';
import { runDurabilityPhase } from './durability.js';
import { runControlLoopsPhase } from './control-loops.js';
import { runScalePhase } from './scale.js';
import { runStoreMemoryPhase } from './store-memory.js';
import { runLeaseRenewalPhase } from './lease-renewal.js';
import { runIdleSteadyPhase } from './steady-state.js';
import { runInformerMemoryPhase } from './informer-memory.js';
import { runFailoverPhase } from './failover.js';
import { runPodWritesPhase } from './pod-writes.js';
import { runEtcdPhase } from './etcd.js';
import { runUiPhase } from './ui.js';

const PODS = 10_000;
const CLIENTS = 64;
const WATCHERS = 100;
const FANOUT: FanoutOptions = { watchers: WATCHERS, sampled: 5, writers: 8, durationMs: 8000, drainMs: 10_000 };

const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const brief = (r: LoadResult) =>
  `${fmt(r.rate)}/s, p50 ${fmt(r.latencyMs.p50)} ms, p99 ${fmt(r.latencyMs.p99)} ms${r.errors ? `, ${r.errors} errors (${r.firstError ?? ''})` : ''}`;

function rawSqlite(dir: string, ms: number): RawSqlite {
  const script = fileURLToPath(new URL('./sqlite-insert.js', import.meta.url));
  return JSON.parse(execFileSync(process.execPath, [script, join(dir, 'raw.db'), String(ms)], { encoding: 'utf8' })) as RawSqlite;
}

/** The no-op server's fan-out of events of the same size to the same number of watchers. */
async function noopFanout(meter: PhaseMeter, pkiDir: string, eventObject: string): Promise<FanoutResult> {
  const noop = await startNoop(pkiDir);
  const client = createClient(noop.target, CLIENTS);
  try {
    return await meter.run('no-op fan-out', noop, () => runWatchFanout(noop.target, broadcastDriver(client, eventObject), FANOUT));
  } finally {
    client.close();
    await noop.stop();
  }
}

async function noopCeiling(meter: PhaseMeter, pkiDir: string, body: string): Promise<LoadResult> {
  const noop = await startNoop(pkiDir);
  const client = createClient(noop.target, CLIENTS);
  try {
    const op = async () => (await client.send('POST', '/api/v1/namespaces/bench/pods', body)).status === 201;
    await closedLoop({ concurrency: CLIENTS, durationMs: 1000, op }); // warm-up: connections, JIT
    return await meter.run('no-op HTTPS', noop, () => closedLoop({ concurrency: CLIENTS, durationMs: 5000, op }));
  } finally {
    client.close();
    await noop.stop();
  }
}

type MainFigures = Pick<
  Figures,
  | 'create1'
  | 'create64'
  | 'get64'
  | 'listAll'
  | 'list500'
  | 'watch'
  | 'idleRss'
  | 'idleProbe'
  | 'rss10k'
  | 'probe10k'
  | 'rssAfterList'
  | 'peakRss'
  | 'pods'
> & { samplePod: string };

async function mainServer(meter: PhaseMeter, s: ServerProc): Promise<MainFigures> {
  const client = createClient(s.target, CLIENTS);
  try {
    await sleep(2000);
    const idleRss = s.rssMb();
    const idleProbe = await s.probe();
    log(`idle RSS ${fmt(idleRss)} MB (after GC ${fmt(idleProbe?.rss ?? Number.NaN)} MB)`);
    await ensureNamespace(client, 'bench');
    await ensureNamespace(client, 'bench-watch');
    const pods = createPodTemplate('bench');
    const names = podNames('bench');
    // warm-up with every client, as the no-op ceiling gets: all connections open (TLS handshakes
    // done) and the code compiled before anything is timed
    await createPods(client, pods, names, { concurrency: CLIENTS, durationMs: 500 });
    const create1 = await meter.run('creates, 1 client', s, () => createPods(client, pods, names, { concurrency: 1, durationMs: 2500 }));
    log(`creates, 1 client: ${brief(create1)}`);
    const create64 = await meter.run(`creates, ${CLIENTS} clients`, s, () =>
      createPods(client, pods, names, { concurrency: CLIENTS, durationMs: 90_000, untilTotal: PODS }),
    );
    log(`creates, ${CLIENTS} clients: ${brief(create64)}; ${names.created.length} pods stored`);
    await sleep(2000);
    const rss10k = s.rssMb();
    const probe10k = await s.probe();
    log(`RSS with ${names.created.length} pods: ${fmt(rss10k)} MB (after GC ${fmt(probe10k?.rss ?? Number.NaN)} MB)`);
    const get64 = await meter.run(`GETs, ${CLIENTS} clients`, s, () => getPods(client, names, { concurrency: CLIENTS, durationMs: 5000 }));
    log(`GETs, ${CLIENTS} clients: ${brief(get64)}`);
    const listAll = await meter.run('LIST all pods', s, () => listPods(client, 'bench', 5));
    log(`LIST all: median ${fmt(listAll.medianMs)} ms, ${listAll.items} items, ${fmt(listAll.bytes / 2 ** 20)} MiB`);
    const list500 = await listPods(client, 'bench', 5, '?limit=500');
    log(`LIST limit=500: median ${fmt(list500.medianMs)} ms`);
    const rssAfterList = s.rssMb();
    const samplePod =
      (await client.send('GET', `/api/v1/namespaces/bench/pods/${names.created[0] ?? ''}`, undefined, { keepBody: true })).body ?? '{}';
    const watch = await meter.run(`watch fan-out, ${WATCHERS} watchers`, s, () =>
      runWatchFanout(s.target, podDriver(client, 'bench-watch', createPodTemplate('bench-watch')), FANOUT),
    );
    log(
      `watch: ${fmt(watch.writesPerSec)} writes/s → ${fmt(watch.deliveredPerSec)} events/s delivered, ${watch.complete}/${watch.watchers} watchers complete${watch.writeErrors ? `, ${watch.writeErrors} write errors: ${watch.firstError ?? ''}` : ''}`,
    );
    return {
      idleRss,
      idleProbe,
      create1,
      create64,
      rss10k,
      probe10k,
      get64,
      listAll,
      list500,
      rssAfterList,
      peakRss: s.peakRssMb(),
      watch,
      pods: names.created.length,
      samplePod,
    };
  } finally {
    client.close();
  }
}

/** A short run on its own server: creates with 1 and 64 clients, GETs with 64. */
async function shortServer(meter: PhaseMeter, label: string, o: Parameters<typeof startTandem>[0]): Promise<ShortFigures> {
  const s = await startTandem(o);
  const client = createClient(s.target, CLIENTS);
  try {
    await sleep(1500);
    const idleRss = s.rssMb();
    await ensureNamespace(client, 'bench');
    const pods = createPodTemplate('bench');
    const names = podNames('bench');
    await createPods(client, pods, names, { concurrency: CLIENTS, durationMs: 500 }); // warm-up, as above
    const create1 = await meter.run(`${label}: creates, 1 client`, s, () =>
      createPods(client, pods, names, { concurrency: 1, durationMs: 2500 }),
    );
    const create64 = await meter.run(`${label}: creates, ${CLIENTS} clients`, s, () =>
      createPods(client, pods, names, { concurrency: CLIENTS, durationMs: 4000 }),
    );
    const get64 = await getPods(client, names, { concurrency: CLIENTS, durationMs: 3000 });
    log(`${label}: creates ${fmt(create1.rate)}/s (1 client), ${fmt(create64.rate)}/s (${CLIENTS}); GETs ${fmt(get64.rate)}/s`);
    return {
      idleRss,
      create1,
      create64,
      get64,
      readyMs: s.readyMs,
      create1Phase: meter.get(`${label}: creates, 1 client`),
      create64Phase: meter.get(`${label}: creates, ${CLIENTS} clients`),
    };
  } finally {
    client.close();
    await s.stop();
  }
}

async function main(): Promise<void> {
  if (!wanted('api')) return;
  const t0 = Date.now();
  const root = mkdtempSync(join(tmpdir(), 'tandem-bench-'));
  const profDir = process.env['BENCH_PROF'] ? join(root, 'prof') : undefined;
  if (profDir) mkdirSync(profDir);
  const machine = describeMachine(root);
  const meter = createPhaseMeter();
  try {
    // 6b. start to ready on fresh data dirs (the third fresh start is the main server's)
    const freshMs: number[] = [];
    for (let i = 0; i < 2; i++) {
      const s = await startTandem({ dataDir: join(root, `fresh-${i}`), controllers: 'none' });
      freshMs.push(s.readyMs);
      await s.stop();
    }
    // 7. ceilings: the no-op HTTPS server and raw SQLite, each in its own child
    const noop = await noopCeiling(meter, join(root, 'fresh-0', 'pki'), createPodTemplate('bench').body('noop-pod-00000'));
    log(`no-op HTTPS, ${CLIENTS} clients: ${brief(noop)}`);
    const raw = rawSqlite(root, 3000);
    log(`raw SQLite: ${fmt(raw.rate)} rows/s (${raw.journalMode}, synchronous=${raw.synchronous})`);

    // 1–5. the main SQLite server
    const mainDir = join(root, 'main');
    const main = await startTandem({ dataDir: mainDir, cpuProfDir: profDir, controllers: 'none' });
    freshMs.push(main.readyMs);
    let m: MainFigures;
    let mainStop = { ms: Number.NaN, killed: false };
    try {
      m = await mainServer(meter, main);
    } finally {
      mainStop = await main.stop(30_000);
      log(`main server stopped in ${fmt(mainStop.ms)} ms${mainStop.killed ? ' (SIGKILL after 30 s)' : ''}`);
    }

    // 6a. restarts on the data dir holding 10k pods; RSS after the first one
    const warmMs: number[] = [];
    let rssRestart = Number.NaN;
    let probeRestart: Figures['probeRestart'];
    for (let i = 0; i < 3; i++) {
      const s = await startTandem({ dataDir: mainDir, controllers: 'none' });
      warmMs.push(s.readyMs);
      if (i === 0) {
        await sleep(2000);
        rssRestart = s.rssMb();
        probeRestart = await s.probe();
      }
      await s.stop();
    }
    log(`start to ready: existing ${warmMs.map((x) => fmt(x)).join(', ')} ms; fresh ${freshMs.map((x) => fmt(x)).join(', ')} ms`);

    const noopWatch = await noopFanout(meter, join(root, 'fresh-0', 'pki'), m.samplePod);
    log(
      `no-op fan-out: ${fmt(noopWatch.writesPerSec)} writes/s → ${fmt(noopWatch.deliveredPerSec)} events/s delivered (${fmt(noopWatch.eventBytes, 0)} B/event)`,
    );

    const apiOnly = await shortServer(meter, 'control plane', { dataDir: join(root, 'control-plane'), controllers: 'all' });
    const mem = await shortServer(meter, 'memory store', { dataDir: join(root, 'mem'), store: 'memory', controllers: 'none' });

    const fig: Figures = {
      ...m,
      apiOnly,
      mainStop,
      noopWatch,
      noopWatchPhase: meter.get('no-op fan-out'),
      clients: CLIENTS,
      watchers: WATCHERS,
      noop,
      raw,
      mem,
      freshMs,
      warmMs,
      rssRestart,
      probeRestart,
      noopPhase: meter.get('no-op HTTPS'),
      create1Phase: meter.get('creates, 1 client'),
      create64Phase: meter.get(`creates, ${CLIENTS} clients`),
      get64Phase: meter.get(`GETs, ${CLIENTS} clients`),
      listPhase: meter.get('LIST all pods'),
      watchPhase: meter.get(`watch fan-out, ${WATCHERS} watchers`),
    };
    const rows = buildRows(fig);
    const out = process.stdout;
    out.write('\nTandem API server benchmark\n');
    out.write(
      `machine: ${machine.cpu}, ${machine.cores} cores, ${fmt(machine.ramGb, 1)} GB RAM, Node ${machine.node}, ${machine.kernel}\n`,
    );
    out.write(
      `data dirs: ${machine.fs}; default store SQLite WAL, fdatasync before each reply (1: the API server alone, 1b: whole control plane, 1c: memory store)\n`,
    );
    out.write(
      `load average at start ${machine.load}, at end ${loadText()} (client and server share the cores; other work on the box skews every figure)\n`,
    );
    out.write(
      `pod body ${fmt(createPodTemplate('bench').bytes)} bytes; ${CLIENTS} keep-alive HTTPS connections; anchors: /work/shared/notes/perf-anchors.md (§1 ids, §2 this box)\n\n`,
    );
    out.write(`${renderTable(rows)}\n\n${renderTargets(rows)}\n`);
    out.write(`\ntotal bench time ${fmt((Date.now() - t0) / 1000, 1)} s\n`);
    if (profDir) {
      const file = readdirSync(profDir).find((n) => n.endsWith('.cpuprofile') && n.includes(`.${main.pid}.`));
      if (file) {
        const keep = join(tmpdir(), `tandem-bench-${main.pid}.cpuprofile`);
        copyFileSync(join(profDir, file), keep);
        const prof = loadProfile(keep);
        out.write(`\n${renderProfile('CPU profile of the SQLite server, whole run', summarizeProfile(prof, 15), 15)}\n`);
        for (const p of meter.phases.filter((x) => x.fromUs >= prof.startTime && x.toUs <= prof.endTime)) {
          out.write(`\n${renderProfile(`phase "${p.name}"`, summarizeProfile(prof, 12, p), 12)}\n`);
        }
        out.write(`\nprofile kept at ${keep} (Chrome DevTools → Performance, or node dist/bench/prof-top.js FILE)\n`);
      } else out.write(`no CPU profile was written in ${profDir}\n`);
    }
  } finally {
    if (process.env['BENCH_KEEP']) log(`data kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

main()
  .then(runClusterPhases)
  .then(runNodePhase)
  .then(runNetworkPhase)
  .then(runImageFactsPhase)
  .then(runAuthPhase)
  .then(runCrdPhase)
  .then(runFairnessPhase)
  .then(runMetricsCostPhase)
  .then(runDurabilityPhase)
  .then(runControlLoopsPhase)
  .then(runScalePhase)
  .then(() => (wanted('store-memory') ? runStoreMemoryPhase() : undefined))
  .then(() => (wanted('lease-renewal') ? runLeaseRenewalPhase() : undefined))
  .then(runIdleSteadyPhase)
  .then(runInformerMemoryPhase)
  .then(runFailoverPhase)
  .then(runPodWritesPhase)
  .then(runEtcdPhase)
  .then(runUiPhase)
  .then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
