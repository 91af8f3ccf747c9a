// Everything one benchmark run measures, and the table rows built from it (figure, anchor, target).

import type { LoadResult } from './http-load.js';
import type { ListResult } from './api-phases.js';
import type { FanoutResult } from './watch-fanout.js';
import type { Probe } from './server-proc.js';
import { cpuNote, type PhaseStat } from './phase-meter.js';
import type { Row } from './report.js';
import { fmt, median } from './stats.js';

export interface RawSqlite {
  rows: number;
  seconds: number;
  rate: number;
  journalMode: string;
  synchronous: number;
}

export interface ShortFigures {
  idleRss: number;
  create1: LoadResult;
  create64: LoadResult;
  get64: LoadResult;
  readyMs: number;
  create1Phase: PhaseStat | undefined;
  create64Phase: PhaseStat | undefined;
}

export interface Figures {
  clients: number;
  watchers: number;
  pods: number;
  noop: LoadResult;
  noopPhase: PhaseStat | undefined;
  raw: RawSqlite;
  create1: LoadResult;
  create1Phase: PhaseStat | undefined;
  create64: LoadResult;
  create64Phase: PhaseStat | undefined;
  get64: LoadResult;
  get64Phase: PhaseStat | undefined;
  listAll: ListResult;
  listPhase: PhaseStat | undefined;
  list500: ListResult;
  watch: FanoutResult;
  watchPhase: PhaseStat | undefined;
  noopWatch: FanoutResult;
  noopWatchPhase: PhaseStat | undefined;
  idleRss: number;
  idleProbe: Probe | undefined;
  rss10k: number;
  probe10k: Probe | undefined;
  rssAfterList: number;
  peakRss: number;
  rssRestart: number;
  probeRestart: Probe | undefined;
  warmMs: number[];
  freshMs: number[];
  mem: ShortFigures;
  /** the same server without the scheduler and controllers */
  apiOnly: ShortFigures;
  mainStop: { ms: number; killed: boolean };
}

const rate = (r: LoadResult) => `${fmt(r.rate)}/s`;
const lat = (r: LoadResult) => `p50 ${fmt(r.latencyMs.p50)} ms, p99 ${fmt(r.latencyMs.p99)} ms`;
const errs = (r: LoadResult) => (r.errors > 0 ? ` [${r.errors} errors: ${(r.firstError ?? '').slice(0, 120)}]` : '');
const afterGc = (p: Probe | undefined) => (p ? `; after full GC ${fmt(p.rss)} MB (heap ${fmt(p.heapUsed)} MB)` : '');

export function buildRows(f: Figures): Row[] {
  const C = f.clients;
  const half = f.noop.rate / 2;
  const s1 = '1. pod creates (POST ~3.5 KB pod JSON), SQLite store, the API server (`tandem server --controllers none`)';
  const s1b = '1c. memory store, API server (shorter runs)';
  const s1c =
    '1b. whole control plane: SQLite, scheduler and controllers on (shorter runs); with no nodes every pod also gets a FailedScheduling status write and event';
  const s2 = '2. single-pod GET, SQLite store';
  const s3 = `3. LIST of ${fmt(f.pods)} pods in one namespace (JSON)`;
  const s4 = `4. watch fan-out, ${f.watchers} watchers on one namespace`;
  const s5 = '5. server RSS (VmRSS of the child)';
  const s6 = '6. start to ready (wall, spawn → ready line)';
  const s7 = '7. ceilings measured in this run (same client code)';
  return [
    {
      section: s1,
      metric: 'creates/s, 1 client',
      value: `${rate(f.create1)}${errs(f.create1)}`,
      anchor: 'etcd 1 member, this box: 766–833 seq. 1 KB puts/s (§2); etcd 3×8 vCPU: 583/s (E1)',
    },
    { section: s1, metric: '  latency, 1 client', value: lat(f.create1), anchor: 'etcd 1 member, this box: p50 1.0 ms' },
    { section: s1, metric: '  CPU, 1 client', value: cpuNote(f.create1Phase, f.create1.ok), anchor: '' },
    {
      section: s1,
      metric: `creates/s, ${C} clients (${fmt(f.create64.seconds)} s)`,
      value: `${rate(f.create64)}${errs(f.create64)}`,
      anchor: `etcd 1 member, this box, 64 in flight: 3,755–4,104 puts/s (§2); no-op HTTPS (this run) ${rate(f.noop)}`,
      target: `≥ ½ no-op = ${fmt(half)}/s`,
      met: f.create64.rate >= half,
    },
    {
      section: s1,
      metric: `  latency, ${C} clients`,
      value: lat(f.create64),
      anchor: 'etcd 64 in flight: p50 14–15 ms, p99 40–43 ms; SLO mutating p99 ≤ 1 s (L1)',
      target: 'p99 < 50 ms',
      met: f.create64.latencyMs.p99 < 50,
    },
    { section: s1, metric: `  CPU, ${C} clients`, value: cpuNote(f.create64Phase, f.create64.ok), anchor: '' },
    {
      section: s1,
      metric: '  efficiency vs raw SQLite inserts',
      value: `${fmt((100 * f.create64.rate) / f.raw.rate, 1)}%`,
      anchor: `raw SQLite 1-row inserts (this run) ${fmt(f.raw.rate)}/s`,
    },
    ...shortRows(s1c, f.apiOnly, f, 'the control loops react to each pod (issue 3 measures them with nodes)'),
    ...shortRows(s1b, f.mem, f, 'the API path without a durable store'),
    {
      section: s2,
      metric: `GETs/s, ${C} clients`,
      value: `${rate(f.get64)}${errs(f.get64)}`,
      anchor: `etcd serializable reads 2,909/s (1 client), 185,758/s (1000 clients, 3×8 vCPU) (E2); no-op HTTPS ${rate(f.noop)}`,
    },
    { section: s2, metric: '  latency', value: lat(f.get64), anchor: 'SLO read of one object p99 ≤ 1 s (L2)' },
    { section: s2, metric: '  CPU', value: cpuNote(f.get64Phase, f.get64.ok), anchor: `no-op HTTPS: ${cpuNote(f.noopPhase, f.noop.ok)}` },
    {
      section: s3,
      metric: 'whole list, no limit (median of 5)',
      value: `${fmt(f.listAll.medianMs)} ms (${f.listAll.items} items, ${fmt(f.listAll.bytes / 2 ** 20, 1)} MiB)`,
      anchor: 'SLO namespace-scoped LIST p99 ≤ 5 s (L2)',
      target: 'SLO ≤ 5 s',
      met: f.listAll.medianMs <= 5000 && f.listAll.items === f.pods,
    },
    { section: s3, metric: '  CPU', value: cpuNote(f.listPhase, 6), anchor: '' },
    {
      section: s3,
      metric: 'first page, limit=500 (median of 5)',
      value: `${fmt(f.list500.medianMs)} ms (${f.list500.items} items)`,
      anchor: 'SLO namespace-scoped LIST p99 ≤ 5 s (L2)',
    },
    {
      section: s4,
      metric: 'delivered events/s (sum over watchers)',
      value: `${fmt(f.watch.deliveredPerSec)}/s`,
      anchor: 'kube-apiserver: none published (A1); kine drops a watcher 100 events behind (T8)',
      target: '≥ 50,000/s',
      met: f.watch.deliveredPerSec >= 50_000,
    },
    { section: s4, metric: '  event size on the wire', value: `${fmt(f.watch.eventBytes, 0)} bytes (managedFields included)`, anchor: '' },
    {
      section: s4,
      metric: '  writes/s (8 writers: create + patch)',
      value: `${fmt(f.watch.writesPerSec)}/s${f.watch.writeErrors ? ` [${f.watch.writeErrors} errors: ${f.watch.firstError ?? ''}]` : ''}`,
      anchor: 'SLO churn ≤ 20/s (L4); kine/SQLite under churn ~69 writes/s (T7)',
    },
    { section: s4, metric: '  watchers that got every event', value: `${f.watch.complete}/${f.watch.watchers}`, anchor: '' },
    {
      section: s4,
      metric: '  write ack → receipt (5 sampled)',
      value: `p50 ${fmt(f.watch.latencyMs.p50)} ms, p99 ${fmt(f.watch.latencyMs.p99)} ms`,
      anchor: 'etcd put → event, this box: p50 1.32 ms, p99 7.9 ms (1 member)',
    },
    { section: s4, metric: '  CPU', value: cpuNote(f.watchPhase, f.watch.delivered), anchor: '(per delivered event)' },
    {
      section: s4,
      metric: 'no-op server, same events, same client',
      value: `${fmt(f.noopWatch.deliveredPerSec)}/s (${fmt(f.noopWatch.writesPerSec)} writes/s, ${f.noopWatch.complete}/${f.noopWatch.watchers} complete, ${fmt(f.noopWatch.eventBytes, 0)} B/event)`,
      anchor: 'the ceiling: POST + one shared line written to every watch (section 7)',
    },
    { section: s4, metric: '  CPU', value: cpuNote(f.noopWatchPhase, f.noopWatch.delivered), anchor: '(per delivered event)' },
    {
      section: s5,
      metric: 'idle, fresh data dir, after 2 s',
      value: `${fmt(f.idleRss)} MB${afterGc(f.idleProbe)}; memory store ${fmt(f.mem.idleRss)} MB`,
      anchor: 'etcd RSS 48 MB (E1); CL2 apiserver budget 1200 MiB at 100 nodes (A3)',
      target: '≤ 120 MB',
      met: f.idleRss <= 120,
    },
    {
      section: s5,
      metric: `with ${fmt(f.pods)} pods, after the creates`,
      value: `${fmt(f.rss10k)} MB${afterGc(f.probe10k)}`,
      anchor: 'etcd 40 MB at 100k keys (E5); k3s server 768–1606 MB, whole stack (T1, T3)',
      target: '≤ 400 MB',
      met: f.rss10k <= 400,
    },
    {
      section: s5,
      metric: '  after the LISTs / peak (VmHWM)',
      value: `${fmt(f.rssAfterList)} MB / ${fmt(f.peakRss)} MB`,
      anchor: '10k × 1 MB Secrets OOM the apiserver with 16 informers (A4)',
    },
    {
      section: s5,
      metric: `with ${fmt(f.pods)} pods, after a restart`,
      value: `${fmt(f.rssRestart)} MB${afterGc(f.probeRestart)}`,
      anchor: '',
      target: '≤ 400 MB',
      met: f.rssRestart <= 400,
    },
    {
      section: s6,
      metric: `existing data dir, ${fmt(f.pods)} pods (median of 3)`,
      value: `${fmt(median(f.warmMs))} ms (${f.warmMs.map((m) => fmt(m, 0)).join(', ')})`,
      anchor: 'k3s ~50 s to default pods Ready, node Ready ~15 s; kind 12.5–17 s (T5)',
      target: '< 1 s',
      met: median(f.warmMs) < 1000,
    },
    {
      section: s6,
      metric: 'shutdown after the SQLite run (SIGTERM → exit)',
      value: `${fmt(f.mainStop.ms)} ms${f.mainStop.killed ? ' (did not exit: SIGKILL after 30 s)' : ''}`,
      anchor: '',
    },
    {
      section: s6,
      metric: 'fresh data dir, incl. PKI (median of 3)',
      value: `${fmt(median(f.freshMs))} ms (${f.freshMs.map((m) => fmt(m, 0)).join(', ')}); memory store ${fmt(f.mem.readyMs, 0)} ms; whole control plane ${fmt(f.apiOnly.readyMs, 0)} ms`,
      anchor: '',
    },
    {
      section: s7,
      metric: `no-op HTTPS, POST 3.5 KB → 201, ${C} clients`,
      value: `${rate(f.noop)} (${lat(f.noop)})${errs(f.noop)}`,
      anchor: 'this box earlier: 6,900–7,800 req/s, p99 25–34 ms (§2)',
    },
    {
      section: s7,
      metric: 'raw SQLite 1-row autocommit, 1 KB rows',
      value: `${fmt(f.raw.rate)} rows/s (${f.raw.journalMode}, synchronous=${f.raw.synchronous === 1 ? 'NORMAL' : f.raw.synchronous})`,
      anchor: 'this box earlier: 20,128–20,916 rows/s (§2); 2014 laptop 62,554 (E6)',
    },
  ];
}

function shortRows(section: string, x: ShortFigures, f: Figures, note: string): Row[] {
  return [
    { section, metric: 'creates/s, 1 client', value: `${rate(x.create1)} (${lat(x.create1)})${errs(x.create1)}`, anchor: note },
    { section, metric: '  CPU, 1 client', value: cpuNote(x.create1Phase, x.create1.ok), anchor: '' },
    {
      section,
      metric: `creates/s, ${f.clients} clients`,
      value: `${rate(x.create64)} (${lat(x.create64)})${errs(x.create64)}`,
      anchor: `no-op HTTPS ${rate(f.noop)}`,
    },
    { section, metric: `  CPU, ${f.clients} clients`, value: cpuNote(x.create64Phase, x.create64.ok), anchor: '' },
    {
      section,
      metric: `GETs/s, ${f.clients} clients`,
      value: `${rate(x.get64)} (${lat(x.get64)})${errs(x.get64)}`,
      anchor: `no-op HTTPS ${rate(f.noop)}`,
    },
  ];
}
