// A pod watch for the scheduling and cluster benchmarks: one streaming GET …/pods?watch=1, each
// line parsed, and per pod the times it was first seen, bound (spec.nodeName set) and Running+Ready.
// Binding times feed scheduler_perf-style throughput: the bindings counted in 1 s samples.

import https from 'node:https';
import type { ClientRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Target } from './http-load.js';
import { percentile } from './stats.js';

interface WatchedPod {
  metadata?: { name?: string; namespace?: string; deletionTimestamp?: string };
  spec?: { nodeName?: string };
  status?: { phase?: string; conditions?: { type?: string; status?: string }[] };
}

export interface PodWatch {
  /** performance.now() of each pod's first binding, in arrival order */
  bindTimes: number[];
  bound(): number;
  ready(): number;
  /** first-seen → Running+Ready seen, per pod that got there (ms) */
  startupMs(): number[];
  lastReadyAt(): number;
  /** resolves when `pred()` holds, or after `timeoutMs` (then false) */
  until(pred: () => boolean, timeoutMs: number, stallMs?: number): Promise<boolean>;
  close(): void;
}

/** Opens the watch and resolves once the server answered 200 (so nothing created later is missed). */
export function watchPods(t: Target, path: string): Promise<PodWatch> {
  const seen = new Map<string, number>();
  const bound = new Set<string>();
  const ready = new Map<string, number>();
  const bindTimes: number[] = [];
  let lastReady = 0;
  let lastProgress = performance.now();
  const waiters = new Set<() => void>();
  const onLine = (line: string) => {
    if (line.length === 0) return;
    let ev: { type?: string; object?: WatchedPod };
    try {
      ev = JSON.parse(line) as typeof ev;
    } catch {
      return;
    }
    const o = ev.object;
    const key = `${o?.metadata?.namespace ?? ''}/${o?.metadata?.name ?? ''}`;
    if (!o || ev.type === 'DELETED' || ev.type === 'BOOKMARK' || ev.type === 'ERROR') return;
    const now = performance.now();
    if (!seen.has(key)) seen.set(key, now);
    if (o.spec?.nodeName && !bound.has(key)) {
      bound.add(key);
      bindTimes.push(now);
      lastProgress = now;
    }
    if (
      !ready.has(key) &&
      !o.metadata?.deletionTimestamp &&
      o.status?.phase === 'Running' &&
      (o.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
    ) {
      ready.set(key, now);
      lastReady = now;
      lastProgress = now;
    }
    for (const w of waiters) w();
  };
  let req: ClientRequest | undefined;
  return new Promise<PodWatch>((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (t.token) headers['authorization'] = `Bearer ${t.token}`;
    req = https.request({ host: t.host, port: t.port, path, method: 'GET', ca: t.ca, headers, agent: false });
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`watch ${path} answered ${res.statusCode}`));
        res.resume();
        return;
      }
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines) onLine(l);
      });
      res.on('error', () => undefined);
      resolve({
        bindTimes,
        bound: () => bound.size,
        ready: () => ready.size,
        startupMs: () => [...ready].map(([k, at]) => at - (seen.get(k) ?? at)),
        lastReadyAt: () => lastReady,
        until(pred, timeoutMs, stallMs) {
          return new Promise<boolean>((res2) => {
            if (pred()) {
              res2(true);
              return;
            }
            const done = (v: boolean) => {
              clearTimeout(timer);
              clearInterval(stall);
              waiters.delete(check);
              res2(v);
            };
            const check = () => {
              if (pred()) done(true);
            };
            const timer = setTimeout(() => done(false), timeoutMs);
            const stall = setInterval(() => {
              if (stallMs !== undefined && performance.now() - lastProgress > stallMs) done(pred());
            }, 500);
            waiters.add(check);
          });
        },
        close: () => req?.destroy(),
      });
    });
    req.on('error', (e) => reject(e));
    req.end();
  });
}

export interface Throughput {
  /** mean of the 1 s samples (the last, partial one scaled to a full second) */
  average: number;
  p50: number;
  p90: number;
  p99: number;
  samples: number;
  /** pods bound in the window, and the window's length from `fromMs` to the last binding */
  pods: number;
  seconds: number;
}

/** scheduler_perf style: bindings after `fromMs` counted per 1 s sample until the last one. */
export function throughput(bindTimes: readonly number[], fromMs: number): Throughput {
  const times = bindTimes.filter((t) => t >= fromMs);
  const last = times.length > 0 ? Math.max(...times) : fromMs;
  const seconds = Math.max(1e-3, (last - fromMs) / 1000);
  const full = Math.floor(seconds);
  const counts = new Array<number>(full + 1).fill(0);
  for (const t of times) counts[Math.min(full, Math.floor((t - fromMs) / 1000))]! += 1;
  const partial = seconds - full;
  const samples = counts.slice(0, full);
  // the tail sample counts only when it covers a meaningful part of a second
  if (partial >= 0.2) samples.push((counts[full] ?? 0) / partial);
  else if (samples.length > 0) samples[samples.length - 1]! += counts[full] ?? 0;
  else samples.push((counts[full] ?? 0) / Math.max(partial, 1e-3));
  const sorted = Float64Array.from(samples).sort();
  const avg = samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    average: avg,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    samples: samples.length,
    pods: times.length,
    seconds,
  };
}
