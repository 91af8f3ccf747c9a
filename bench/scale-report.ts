// The scale phase's figures (bench/scale.ts) as table rows, each beside upstream's density numbers
// from perf-anchors.md (L1/L2 SLOs, L5 envelope, S10/S11 throughput, A3 budgets, D2) and the issue's
// targets with ✓/✗.

import type { LoadResult } from './http-load.js';
import type { Window } from './prof-top.js';
import type { Row } from './report.js';
import type { ScaleConfig } from './scale-config.js';
import type { Percentiles, RateSummary } from './scale-load.js';
import type { Probe } from './server-proc.js';
import { fmt } from './stats.js';

export interface Ceilings {
  noop: LoadResult;
  apiAlone: LoadResult;
  defaultServer: LoadResult;
}

export interface StepResult {
  label: string;
  fromPods: number;
  toPods: number;
  deployments: number;
  ready: number;
  /** apply → the first 1 s sample with every replica Ready (ms); NaN when not reached */
  allReadyMs: number;
  /** why the step stopped waiting, '' when all got Ready */
  gaveUp: string;
  rates: RateSummary;
  side: { get: Percentiles; list: Percentiles; mutate: Percentiles };
  serverCpuS: number;
  simCpuS: number;
  peakServerRss: number;
  peakSimRss: number;
  window: Window;
}

export interface ScaleRun {
  cfg: ScaleConfig;
  ceilings: Ceilings;
  steps: StepResult[];
  /** why the second step did not run ('' when it did) */
  skipped: string;
  simRegisterMs: number;
  idle: { serverCpu: number; simCpu: number; window: Window };
  serverRss: number;
  serverPeak: number;
  simRss: number;
  simPeak: number;
  serverPid: number;
  /** the server's `heap trimmed after a burst` log lines (src/base/heap-trim.ts), as far as its kept output reaches */
  heapTrims: string[];
  /** the server's memory breakdown after the idle window (full GC in every isolate) */
  memory: Probe | undefined;
}

const pct = (p: Percentiles) =>
  p.n === 0
    ? `no successful calls${p.firstError ? ` (${p.firstError.slice(0, 120)})` : ''}`
    : `p50 ${fmt(p.p50)} · p90 ${fmt(p.p90)} · p99 ${fmt(p.p99)} ms (max ${fmt(p.max)}; n ${p.n}${p.errors ? `, ${p.errors} errors: ${(p.firstError ?? '').slice(0, 120)}` : ''}${p.skipped ? `, ${p.skipped} not sent: too many in flight` : ''})`;

function stepRows(st: StepResult, full: boolean, last: boolean): Row[] {
  const sec = `K. ${st.label}: ${fmt(st.toPods - st.fromPods, 0)} new replicas in ${st.deployments} Deployments (${fmt(st.toPods, 0)} in all)`;
  const pods = st.toPods - st.fromPods;
  const done = Number.isFinite(st.allReadyMs);
  const first = st.fromPods === 0;
  const rows: Row[] = [
    {
      section: sec,
      metric: 'apply → all Ready',
      value: done
        ? `${fmt(st.allReadyMs / 1000, 1)} s (${fmt((1000 * pods) / st.allReadyMs)} pods/s end to end)`
        : `not reached: ${fmt(st.ready - st.fromPods, 0)} Ready (${st.gaveUp})`,
      anchor: first
        ? 'issue: today ~206 s for 30,000 on 5,000 nodes (~145 pods/s); D2: 3,000 pods in ~1 min (~50 pods/s)'
        : 'L5 envelope: 5,000 nodes, 150,000 pods, 3,000 pods/ns; S11: 65k pods in ~2.5 min (~430/s) on GKE',
      ...(first && full ? { target: '≤ 60 s', met: done && st.allReadyMs <= 60_000 } : {}),
      ...(!first && full ? { target: 'all Ready', met: done } : {}),
    },
    {
      section: sec,
      metric: '  Ready pods/s, 1 s samples',
      value: `min ${fmt(st.rates.min)} · avg ${fmt(st.rates.avg)} · max ${fmt(st.rates.max)}`,
      anchor: 'S10: CL2 throughput gate 100 pods/s; S11: 1,000 pods/s create + bind (GKE)',
    },
    {
      section: sec,
      metric: '  side load GET (one pod)',
      value: pct(st.side.get),
      anchor: 'L2: single-object read p99 ≤ 1 s',
      ...(last ? { target: 'p99 ≤ 1 s', met: st.side.get.n > 0 && st.side.get.p99 <= 1000 } : {}),
    },
    {
      section: sec,
      metric: '  side load LIST (pods, limit 500)',
      value: pct(st.side.list),
      anchor: 'L2: namespace-scoped read p99 ≤ 5 s',
      ...(last ? { target: 'p99 ≤ 5 s', met: st.side.list.n > 0 && st.side.list.p99 <= 5000 } : {}),
    },
    {
      section: sec,
      metric: '  side load ConfigMap create/update',
      value: pct(st.side.mutate),
      anchor: 'L1: mutating call p99 ≤ 1 s',
      ...(last ? { target: 'p99 ≤ 1 s', met: st.side.mutate.n > 0 && st.side.mutate.p99 <= 1000 } : {}),
    },
    {
      section: sec,
      metric: '  CPU and RSS during the step',
      value: `server ${fmt(st.serverCpuS, 0)} s CPU (${fmt((1000 * st.serverCpuS) / Math.max(1, st.ready - st.fromPods))} ms/pod), sim ${fmt(st.simCpuS, 0)} s; peak RSS server ${fmt(st.peakServerRss, 0)} MB, sim ${fmt(st.peakSimRss, 0)} MB`,
      anchor: 'A3 (100-node density budgets): apiserver ≤ 2.2 cores / 1200 MiB, KCM ≤ 1.1 / 300 MiB, scheduler ≤ 0.35 / 120 MiB',
    },
  ];
  return rows;
}

export function scaleRows(r: ScaleRun): Row[] {
  const full = r.cfg.nodes >= 5000;
  const c = r.ceilings;
  const sec0 = "K0. the same run's creates/s, 64 clients, no nodes (before the scale run)";
  const ratio = c.defaultServer.rate / c.apiAlone.rate;
  const rows: Row[] = [
    {
      section: sec0,
      metric: 'no-op HTTPS server (ceiling)',
      value: `${fmt(c.noop.rate)}/s, p99 ${fmt(c.noop.latencyMs.p99)} ms`,
      anchor: '§2: 6,900–7,800/s on this box',
    },
    {
      section: sec0,
      metric: 'tandem server --controllers none',
      value: `${fmt(c.apiAlone.rate)}/s (${fmt(c.apiAlone.rate / c.noop.rate)}× no-op), p99 ${fmt(c.apiAlone.latencyMs.p99)} ms`,
      anchor: 'issue: about 0.8 of the no-op',
    },
    {
      section: sec0,
      metric: 'default tandem server (controllers on)',
      value: `${fmt(c.defaultServer.rate)}/s (${fmt(ratio)}× API alone), p99 ${fmt(c.defaultServer.latencyMs.p99)} ms`,
      anchor: 'issue: about 0.16–0.2 of API alone today',
      target: '≥ 0.5× API alone',
      met: ratio >= 0.5,
    },
  ];
  r.steps.forEach((st, i) => rows.push(...stepRows(st, full, i === r.steps.length - 1)));
  const last = r.steps[r.steps.length - 1];
  const sec = `K9. the cluster at the end (${fmt(r.cfg.nodes, 0)} nodes, ${fmt(last?.ready ?? 0, 0)} pods Ready)`;
  const bigRun = full && (last?.toPods ?? 0) >= 150_000;
  rows.push(
    {
      section: sec,
      metric: 'sim fleet registered',
      value: `${fmt(r.simRegisterMs / 1000, 1)} s`,
      anchor: 'K2 (kwok via API): 2,000 nodes Ready ≤ 120 s',
    },
    {
      section: sec,
      metric: 'server RSS, end (peak)',
      value: `${fmt(r.serverRss, 0)} MB (peak ${fmt(r.serverPeak, 0)} MB)`,
      anchor: 'A3: apiserver 1200 MiB + KCM 300 + scheduler 120 at 100 nodes; T1: k3s 1.6 GB; issue: ~0.9 GB at 30,000 today',
      ...(bigRun ? { target: '≤ 2 GB', met: r.serverPeak <= 2048 } : {}),
    },
    {
      section: sec,
      metric: 'sim RSS, end (peak)',
      value: `${fmt(r.simRss, 0)} MB (peak ${fmt(r.simPeak, 0)} MB)`,
      anchor: 'K1: kwok 1k nodes + 100k pods on a laptop',
    },
    {
      section: sec,
      metric: `idle CPU over ${r.cfg.idleS} s`,
      value: `server ${fmt(r.idle.serverCpu)}% of a core, sim ${fmt(r.idle.simCpu)}%`,
      anchor: 'T1: k3s server 6% of a core with a workload; issue: ~80% today at 30,000',
      ...(full ? { target: '≤ 25% of a core', met: r.idle.serverCpu <= 25 } : {}),
    },
  );
  rows.push({
    section: sec,
    metric: 'heap trims (compacting GC once quiet)',
    value: r.heapTrims.length ? r.heapTrims.join('; ') : 'none logged',
    anchor: '',
  });
  if (r.skipped) rows.push({ section: sec, metric: 'second step', value: `skipped: ${r.skipped}`, anchor: '' });
  return rows;
}

/**
 * The server's memory after a full GC in every isolate (bench/server-probe.ts): RSS, the main
 * isolate (API server), each worker (the control loops), and what no isolate accounts for.
 */
export function renderBreakdown(p: Probe | undefined): string {
  if (!p) return 'memory breakdown: the probe did not answer';
  const iso = (name: string, f: { heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; malloced?: number }) =>
    `  ${name.padEnd(24)} heap used ${fmt(f.heapUsed, 0).padStart(6)} MB of ${fmt(f.heapTotal, 0).padStart(6)} MB; external ${fmt(f.external, 0)} MB (array buffers ${fmt(f.arrayBuffers, 0)}); V8 malloc ${fmt(f.malloced ?? 0, 0)} MB`;
  const lines = [
    `memory breakdown after a full GC: RSS ${fmt(p.rss, 0)} MB${p.gc ? '' : ' (no GC: --expose-gc missing)'}`,
    iso('main (API server)', p),
  ];
  for (const w of p.workers ?? []) lines.push(iso(`worker ${w.thread} (${w.kind})`, w));
  if (p.workers && !p.workers.some((w) => w.kind === 'control-loops'))
    lines.push('  (the control-loop worker did not answer in time: its heap counts in the native rest below)');
  if (p.native !== undefined)
    lines.push(`  ${'native rest'.padEnd(24)} ${fmt(p.native, 0)} MB (RSS minus heaps, external, V8 malloc: SQLite, TLS, allocator, code)`);
  return lines.join('\n');
}
