// Issue 17's benchmark targets (`BENCH_ONLY=etcd npm run bench`): creates/s, GETs/s, LIST of 10,000
// pods and watch events/s through a real `tandem server --store etcd://…` on a one-member and a
// three-member etcd (Debian's etcd-server on loopback), beside the same on SQLite, and beside etcd's
// own put rate measured in the same run with the same client library (etcd3) and the same 64-way
// concurrency, on the same fresh cluster just before the server starts on it. The target: Tandem's
// creates on etcd ≥ 0.6 of the raw puts. Stores are taken in turn (sqlite, etcd 1, etcd 3) and the
// rounds repeat (BENCH_ETCD_ROUNDS, default 1) so that a busy moment of the shared box does not fall
// on one store only. Anchors: /work/shared/notes/perf-anchors.md (its etcd rows are printed).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Etcd3 } from 'etcd3';
import { startEtcdCluster, etcdUnavailable, type EtcdCluster } from '../src/storage/etcd/testing/etcd-cluster.js';
import { createPods, ensureNamespace, getPods, listPods, podNames } from './api-phases.js';
import { wanted } from './cluster-phases.js';
import { closedLoop, createClient, type LoadResult } from './http-load.js';
import { describeMachine, loadText } from './machine.js';
import { createPodTemplate } from './pod-fixture.js';
import { REPO, spawnTandemServer } from './server-proc.js';
import { fmt, median } from './stats.js';
import { cpuSeconds } from './machine.js';
import { podDriver, runWatchFanout, type FanoutResult } from './watch-fanout.js';

const PODS = 10_000;
const CLIENTS = 64;
const FANOUT = { watchers: 100, sampled: 5, writers: 8, durationMs: 5000, drainMs: 10_000 };
const TARGET_RATIO = 0.6;

const log = (s: string) => process.stderr.write(`[bench etcd] ${s}\n`);

type StoreName = 'sqlite' | 'etcd-1' | 'etcd-3';
const STORES: StoreName[] = ['sqlite', 'etcd-1', 'etcd-3'];

/** CPU seconds so far of each party: the etcd members together, the Tandem server, this process (the load's clients). */
interface CpuReading {
  etcd: number;
  server: number;
  clients: number;
}
function readCpu(etcd: EtcdCluster | undefined, serverPid?: number): CpuReading {
  const u = process.cpuUsage();
  return {
    etcd: (etcd?.members ?? []).reduce((t, m) => t + (m.pid ? cpuSeconds(m.pid) : 0), 0),
    server: serverPid ? cpuSeconds(serverPid) : 0,
    clients: (u.user + u.system) / 1e6,
  };
}
/** CPU milliseconds per operation of each party between two readings. */
function cpuPerOp(a: CpuReading, b: CpuReading, ops: number): CpuReading {
  const per = (x: number, y: number) => ((y - x) * 1000) / Math.max(1, ops);
  return { etcd: per(a.etcd, b.etcd), server: per(a.server, b.server), clients: per(a.clients, b.clients) };
}
const cpuText = (c: CpuReading) =>
  `etcd ${fmt(c.etcd, 2)} + server ${fmt(c.server, 2)} + clients ${fmt(c.clients, 2)} = ${fmt(c.etcd + c.server + c.clients, 2)} ms of CPU per operation`;

interface StoreRun {
  /** CPU per raw put and per Tandem create (etcd only): what bounds the ratio when the cores are full */
  cpuPerPut?: CpuReading;
  cpuPerCreate?: CpuReading;
  store: StoreName;
  /** raw etcd3 puts/s, 64 in flight, on the same cluster (etcd only) */
  rawPut?: LoadResult;
  create64: LoadResult;
  /** etcd calls per Tandem create (etcd only) */
  callsPerCreate?: string;
  get64: LoadResult;
  listMs: number;
  listItems: number;
  watch: FanoutResult;
  pods: number;
}

/** etcd's gRPC calls handled so far by method (Range, Txn, Put, …), summed over the members (their /metrics). */
async function etcdCalls(c: EtcdCluster): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const url of c.clientUrls) {
    const text = await fetch(`${url}/metrics`).then(
      (r) => r.text(),
      () => '',
    );
    for (const m of text.matchAll(/^grpc_server_handled_total\{[^}]*grpc_method="(\w+)"[^}]*\} (\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/gm)) {
      out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[2]));
    }
  }
  return out;
}

/** Calls per operation between two etcdCalls() readings, the busiest methods first: "Txn 1.0, Range 2.0". */
function perOp(before: Map<string, number>, after: Map<string, number>, ops: number): string {
  return [...after]
    .map(([k, v]) => [k, (v - (before.get(k) ?? 0)) / Math.max(1, ops)] as const)
    .filter(([, v]) => v >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${fmt(v, 2)}`)
    .join(', ');
}

/** 64 concurrent puts of `bytes`-sized values for `ms`, through one etcd3 client on every member (as the backend does). */
async function rawPuts(c: EtcdCluster, bytes: number, ms: number): Promise<LoadResult & { cpu: CpuReading }> {
  const client = new Etcd3({ hosts: c.clientUrls });
  const value = 'x'.repeat(bytes);
  try {
    await closedLoop({
      concurrency: CLIENTS,
      durationMs: 500,
      op: async (i) => (await client.put(`/bench-raw/warm/${i}`).value(value), true),
    });
    const cpu0 = readCpu(c);
    const r = await closedLoop({
      concurrency: CLIENTS,
      durationMs: ms,
      op: async (i) => (await client.put(`/bench-raw/put/${i}`).value(value), true),
    });
    return { ...r, cpu: cpuPerOp(cpu0, readCpu(c), r.ok) };
  } finally {
    await client.delete().prefix('/bench-raw/');
    client.close();
  }
}

async function runOne(root: string, store: StoreName, round: number, valueBytes: number): Promise<StoreRun> {
  const dataDir = join(root, `${store}-${round}`);
  const etcdDir = join(root, `${store}-${round}-etcd`);
  if (store !== 'sqlite') mkdirSync(etcdDir);
  const etcd = store === 'sqlite' ? undefined : await startEtcdCluster({ size: store === 'etcd-1' ? 1 : 3, dir: etcdDir });
  try {
    const rawPut = etcd ? await rawPuts(etcd, valueBytes, 5000) : undefined;
    if (rawPut)
      log(
        `${store}: raw etcd3 puts, ${CLIENTS} in flight, ${valueBytes} B values: ${fmt(rawPut.rate)}/s (p99 ${fmt(rawPut.latencyMs.p99)} ms)`,
      );
    const srv = await spawnTandemServer(dataDir, ['--controllers', 'none', ...(etcd ? ['--store', etcd.spec] : [])]);
    const client = createClient(srv.target, CLIENTS);
    try {
      await ensureNamespace(client, 'bench');
      await ensureNamespace(client, 'bench-watch');
      const pods = createPodTemplate('bench');
      const names = podNames('bench');
      await createPods(client, pods, names, { concurrency: CLIENTS, durationMs: 500 }); // warm-up: connections, JIT
      const callsBefore = etcd ? await etcdCalls(etcd) : undefined;
      const cpu0 = readCpu(etcd, srv.proc.pid);
      const create64 = await createPods(client, pods, names, { concurrency: CLIENTS, durationMs: 120_000, untilTotal: PODS });
      const cpuPerCreate = cpuPerOp(cpu0, readCpu(etcd, srv.proc.pid), create64.ok);
      if (rawPut) log(`${store}: raw put: ${cpuText(rawPut.cpu)}`);
      log(`${store}: create: ${cpuText(cpuPerCreate)}`);
      const callsPerCreate = etcd && callsBefore ? perOp(callsBefore, await etcdCalls(etcd), create64.ok) : undefined;
      if (callsPerCreate) log(`${store}: etcd calls per create: ${callsPerCreate}`);
      log(
        `${store}: creates, ${CLIENTS} clients: ${fmt(create64.rate)}/s, p99 ${fmt(create64.latencyMs.p99)} ms; ${names.created.length} pods${create64.errors ? `; ${create64.errors} errors: ${create64.firstError ?? ''}` : ''}`,
      );
      const get64 = await getPods(client, names, { concurrency: CLIENTS, durationMs: 4000 });
      log(`${store}: GETs, ${CLIENTS} clients: ${fmt(get64.rate)}/s`);
      const list = await listPods(client, 'bench', 3);
      log(`${store}: LIST of ${list.items} pods: median ${fmt(list.medianMs)} ms`);
      const watch = await runWatchFanout(srv.target, podDriver(client, 'bench-watch', createPodTemplate('bench-watch')), FANOUT);
      log(
        `${store}: watch: ${fmt(watch.writesPerSec)} writes/s → ${fmt(watch.deliveredPerSec)} events/s to ${watch.watchers} watchers (${watch.complete} complete)`,
      );
      return {
        store,
        ...(rawPut ? { rawPut, cpuPerPut: rawPut.cpu } : {}),
        cpuPerCreate,
        ...(callsPerCreate ? { callsPerCreate } : {}),
        create64,
        get64,
        listMs: list.medianMs,
        listItems: list.items,
        watch,
        pods: names.created.length,
      };
    } finally {
      client.close();
      await new Promise<void>((r) => {
        if (srv.proc.exitCode !== null || srv.proc.signalCode !== null) return r();
        const kill = setTimeout(() => srv.proc.kill('SIGKILL'), 20_000);
        srv.proc.once('exit', () => (clearTimeout(kill), r()));
        srv.proc.kill('SIGTERM');
      });
    }
  } finally {
    await etcd?.stop();
  }
}

/** The etcd rows of the anchors note (ids E…, and this box's etcd lines), if the note is there. */
function etcdAnchors(): string[] {
  const file = resolve(REPO, '..', 'shared', 'notes', 'perf-anchors.md');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => /^\| (E[1-3] |etcd )/.test(l))
    .map(
      (l) =>
        `  ${l
          .replace(/\s+\|\s*$/, '')
          .replace(/^\|\s*/, '')
          .replace(/\s*\|\s*/g, ' · ')}`,
    );
}

const med = (runs: StoreRun[], f: (r: StoreRun) => number | undefined): number =>
  median(runs.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x)));

export async function runEtcdPhase(): Promise<void> {
  if (!wanted('etcd')) return;
  const why = etcdUnavailable();
  if (why) return void log(`skipped: ${why}`);
  const t0 = Date.now();
  const root = mkdtempSync(join(tmpdir(), 'tandem-bench-etcd-'));
  const machine = describeMachine(root);
  const rounds = Math.max(1, Number(process.env['BENCH_ETCD_ROUNDS'] ?? 1));
  // raw puts use values of the size Tandem stores for a bench pod (the server adds defaults and managed fields)
  let valueBytes = createPodTemplate('bench').bytes * 2;
  const runs: StoreRun[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (const store of STORES) {
        try {
          const r = await runOne(root, store, round, valueBytes);
          runs.push(r);
        } catch (e) {
          log(`${store}: failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        }
        if (store === 'sqlite' && round === 0) valueBytes = storedPodBytes(runs) ?? valueBytes;
      }
    }
  } finally {
    if (!process.env['BENCH_KEEP']) rmSync(root, { recursive: true, force: true });
  }
  const out = process.stdout;
  out.write(`\nTandem on etcd (issue 17), ${rounds} round(s), medians\n`);
  out.write(
    `machine: ${machine.cpu}, ${machine.cores} cores, ${fmt(machine.ramGb, 1)} GB RAM, Node ${machine.node}, ${machine.kernel}; load at start ${machine.load}, at end ${loadText()} (shared box: etcd members, server and clients share the cores)\n`,
  );
  out.write(
    `${CLIENTS} clients; ${PODS} pods; raw puts: etcd3 client on every member, ${CLIENTS} in flight, ${valueBytes} B values; watch: ${FANOUT.watchers} watchers, ${FANOUT.writers} writers\n\n`,
  );
  const rows: string[][] = [
    ['store', 'raw puts/s', 'creates/s', 'creates ÷ raw', 'GETs/s', `LIST ${PODS} ms`, 'watch writes/s', 'events/s delivered'],
  ];
  for (const store of STORES) {
    const rs = runs.filter((r) => r.store === store);
    if (rs.length === 0) {
      rows.push([store, 'failed']);
      continue;
    }
    const raw = med(rs, (r) => r.rawPut?.rate);
    const creates = med(rs, (r) => r.create64.rate);
    rows.push([
      store,
      Number.isFinite(raw) ? fmt(raw) : '—',
      fmt(creates),
      Number.isFinite(raw) ? fmt(creates / raw, 2) : '—',
      fmt(med(rs, (r) => r.get64.rate)),
      fmt(med(rs, (r) => r.listMs)),
      fmt(med(rs, (r) => r.watch.writesPerSec)),
      fmt(med(rs, (r) => r.watch.deliveredPerSec)),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) out.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
  out.write('\n');
  for (const store of ['etcd-1', 'etcd-3'] as const) {
    const rs = runs.filter((r) => r.store === store);
    if (rs.length === 0) continue;
    const ratio = med(rs, (r) => r.create64.rate) / med(rs, (r) => r.rawPut?.rate);
    out.write(
      `${ratio >= TARGET_RATIO ? '✓' : '✗'} ${store}: Tandem creates ${fmt(ratio, 2)} of raw etcd puts (target ≥ ${TARGET_RATIO})\n`,
    );
  }
  for (const r of runs) if (r.callsPerCreate) out.write(`${r.store}: etcd calls per Tandem create: ${r.callsPerCreate}\n`);
  // With every core busy, a rate is about (cores × 1000) / (CPU ms per operation of all parties): the
  // ratio the cores allow is then CPU per raw put ÷ CPU per create, whatever else shares the machine.
  for (const r of runs) {
    if (!r.cpuPerPut || !r.cpuPerCreate) continue;
    const put = r.cpuPerPut.etcd + r.cpuPerPut.clients;
    const create = r.cpuPerCreate.etcd + r.cpuPerCreate.server + r.cpuPerCreate.clients;
    out.write(
      `${r.store}: CPU per raw put ${fmt(put, 2)} ms (${cpuText(r.cpuPerPut)}); per create ${fmt(create, 2)} ms (${cpuText(r.cpuPerCreate)}); ` +
        `ratio the cores allow when saturated: ${fmt(put / create, 2)}\n`,
    );
  }
  const anchors = etcdAnchors();
  if (anchors.length) out.write(`\nanchors (perf-anchors.md):\n${anchors.join('\n')}\n`);
  out.write(`\netcd phase took ${fmt((Date.now() - t0) / 1000, 1)} s\n`);
}

/** About the size of one stored bench pod: a watch event's bytes on the SQLite run (the object plus a small envelope). */
function storedPodBytes(runs: StoreRun[]): number | undefined {
  const r = runs.find((x) => x.store === 'sqlite');
  return r && r.watch.eventBytes > 0 ? Math.round(r.watch.eventBytes) : undefined;
}
