// The scale phase's measuring instruments (bench/scale.ts): a steady open-loop side load of GET (one
// pod), LIST (pods, limit 500) and mutating calls (ConfigMap create, then update) at a few requests/s
// each, as upstream's SLO measurements do, each latency recorded by this client; and a once-a-second
// sampler of the Deployments' ready replicas (the timeline of pods/s and the "all Ready" moment).

import { performance } from 'node:perf_hooks';
import type { Client } from './http-load.js';
import { percentile } from './stats.js';

export interface Percentiles {
  n: number;
  errors: number;
  /** requests skipped because too many of the same kind were still in flight */
  skipped: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  firstError: string | undefined;
}

interface Recorder {
  lat: number[];
  errors: number;
  skipped: number;
  inFlight: number;
  firstError: string | undefined;
}

const newRecorder = (): Recorder => ({ lat: [], errors: 0, skipped: 0, inFlight: 0, firstError: undefined });

function percentiles(r: Recorder): Percentiles {
  const s = Float64Array.from(r.lat).sort();
  return {
    n: s.length,
    errors: r.errors,
    skipped: r.skipped,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s.length > 0 ? (s[s.length - 1] ?? Number.NaN) : Number.NaN,
    firstError: r.firstError,
  };
}

export interface SideLoadOptions {
  /** namespace of the probe pod and the ConfigMaps */
  ns: string;
  getPath: string;
  listPath: string;
  /** requests per second of each kind */
  getRate: number;
  listRate: number;
  mutateRate: number;
  /** no new request of a kind while this many are in flight (so a stalled server is not buried) */
  maxInFlight?: number;
}

export interface SideLoad {
  /** results so far; `reset` starts a new window (e.g. per step) */
  snapshot(): { get: Percentiles; list: Percentiles; mutate: Percentiles };
  reset(): void;
  stop(): Promise<void>;
}

/** Starts the open-loop side load: each kind on its own timer, so one slow kind does not hold the others. */
export function startSideLoad(client: Client, o: SideLoadOptions): SideLoad {
  const cap = o.maxInFlight ?? 16;
  let rec = { get: newRecorder(), list: newRecorder(), mutate: newRecorder() };
  const pending = new Set<Promise<void>>();
  let cm = 0;
  let created: string | undefined;
  let mutations = 0;
  const fire = (kind: keyof typeof rec, op: () => Promise<{ status: number; body: string | undefined }>, ok: (s: number) => boolean) => {
    const r = rec[kind];
    if (r.inFlight >= cap) {
      r.skipped++;
      return;
    }
    r.inFlight++;
    const t0 = performance.now();
    const p = op()
      .then(
        (res) => {
          if (ok(res.status)) r.lat.push(performance.now() - t0);
          else {
            r.errors++;
            r.firstError ??= `HTTP ${res.status}: ${(res.body ?? '').slice(0, 200)}`;
          }
        },
        (e: unknown) => {
          r.errors++;
          r.firstError ??= e instanceof Error ? e.message : String(e);
        },
      )
      .finally(() => {
        r.inFlight--;
        pending.delete(p);
      });
    pending.add(p);
  };
  const cmBody = (name: string, v: number) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: o.ns }, data: { value: String(v) } });
  const timers = [
    setInterval(
      () =>
        fire(
          'get',
          () => client.send('GET', o.getPath),
          (s) => s === 200,
        ),
      1000 / o.getRate,
    ),
    setInterval(
      () =>
        fire(
          'list',
          () => client.send('GET', o.listPath),
          (s) => s === 200,
        ),
      1000 / o.listRate,
    ),
    setInterval(() => {
      // alternate: create a new ConfigMap, then update the one created last (an unconditional PUT)
      // (the one whose create has answered, so a slow create never turns the update into a 404)
      const i = mutations++;
      if (i % 2 === 0 || created === undefined) {
        const name = `side-${cm++}`;
        fire(
          'mutate',
          () =>
            client.send('POST', `/api/v1/namespaces/${o.ns}/configmaps`, cmBody(name, i)).then((r) => {
              if (r.status === 201) created = name;
              return r;
            }),
          (s) => s === 201,
        );
      } else {
        const name = created;
        fire(
          'mutate',
          () => client.send('PUT', `/api/v1/namespaces/${o.ns}/configmaps/${name}`, cmBody(name, i)),
          (s) => s === 200,
        );
      }
    }, 1000 / o.mutateRate),
  ];
  return {
    snapshot: () => ({ get: percentiles(rec.get), list: percentiles(rec.list), mutate: percentiles(rec.mutate) }),
    reset: () => {
      rec = { get: newRecorder(), list: newRecorder(), mutate: newRecorder() };
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...pending]);
    },
  };
}

export interface ReadySample {
  /** ms since the sampler's start */
  atMs: number;
  ready: number;
  /** replicas the Deployments' ReplicaSets have created (status.replicas) */
  created: number;
}

interface DeploymentList {
  items?: { metadata?: { namespace?: string }; spec?: { replicas?: number }; status?: { replicas?: number; readyReplicas?: number } }[];
}

export interface ReadySampler {
  samples: ReadySample[];
  latest(): ReadySample;
  stop(): void;
}

/**
 * Samples the sum of `status.readyReplicas` of every Deployment whose namespace starts with `prefix`
 * once a second (one LIST of Deployments: a few dozen small objects, so the sampler itself costs little).
 */
export function sampleReady(client: Client, prefix: string, t0: number): ReadySampler {
  const samples: ReadySample[] = [];
  let last: ReadySample = { atMs: 0, ready: 0, created: 0 };
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const r = await client.send('GET', '/apis/apps/v1/deployments', undefined, { keepBody: true });
      if (r.status !== 200) return;
      const doc = JSON.parse(r.body ?? '{}') as DeploymentList;
      let ready = 0;
      let created = 0;
      for (const d of doc.items ?? []) {
        if (!(d.metadata?.namespace ?? '').startsWith(prefix)) continue;
        ready += d.status?.readyReplicas ?? 0;
        created += d.status?.replicas ?? 0;
      }
      last = { atMs: performance.now() - t0, ready, created };
      samples.push(last);
    } catch {
      // a failed sample is skipped; the next second tries again
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), 1000);
  void tick();
  return { samples, latest: () => last, stop: () => clearInterval(timer) };
}

export interface RateSummary {
  min: number;
  avg: number;
  max: number;
  /** "t=5s 1,200 · t=10s 3,400 …" every `everyS` seconds */
  timeline: string;
}

/** Ready pods/s from the 1 s samples between the first and the last change (upstream: average of 1 s samples). */
export function rateSummary(samples: readonly ReadySample[], fromReady: number, everyS = 5): RateSummary {
  const rates: number[] = [];
  let first = -1;
  let lastChange = -1;
  for (let i = 1; i < samples.length; i++) {
    if ((samples[i]?.ready ?? 0) !== (samples[i - 1]?.ready ?? 0)) {
      if (first < 0) first = i;
      lastChange = i;
    }
  }
  for (let i = Math.max(1, first); first >= 0 && i <= lastChange; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    rates.push((1000 * (b.ready - a.ready)) / Math.max(1, b.atMs - a.atMs));
  }
  const marks: string[] = [];
  let next = everyS * 1000;
  for (const s of samples) {
    if (s.atMs >= next) {
      marks.push(`${Math.round(s.atMs / 1000)}s ${s.ready - fromReady}`);
      next += everyS * 1000;
    }
  }
  return {
    min: rates.length ? Math.min(...rates) : Number.NaN,
    avg: rates.length ? rates.reduce((x, y) => x + y, 0) / rates.length : Number.NaN,
    max: rates.length ? Math.max(...rates) : Number.NaN,
    timeline: marks.join(' · '),
  };
}
