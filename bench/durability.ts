// Bench phase `durability` (issue 15 item 6, BENCH_ONLY=durability): what an fsync before every
// reply costs. The disk's own fdatasync rate, raw SQLite inserts with and without a sync per
// commit, the store alone, then pod creates and a watch fan-out through `tandem server --controllers none` with the default store
// (WAL fdatasync'd before the reply, group commit) and with `sqlite:PATH?sync=normal` (the old
// behaviour), alternated A/B/B/A in the same run because the CPU is shared with other work.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createClient, type LoadResult } from './http-load.js';
import { createPodTemplate } from './pod-fixture.js';
import { spawnTandemServer } from './server-proc.js';
import { createPods, ensureNamespace, podNames } from './api-phases.js';
import { wanted } from './cluster-phases.js';
import { podDriver, runWatchFanout, type FanoutOptions, type FanoutResult } from './watch-fanout.js';
import { fmt } from './stats.js';
import { createBackend } from '../src/storage/index.js';

const CLIENTS = 64;
type Mode = 'durable' | 'normal';
interface Raw {
  rate: number;
  msPerSync?: number;
}

const log = (s: string) => process.stderr.write(`[bench durability] ${s}\n`);

function raw(dir: string, mode: 'normal' | 'full' | 'fsync', ms: number): Raw {
  const script = fileURLToPath(new URL('./sqlite-insert.js', import.meta.url));
  return JSON.parse(execFileSync(process.execPath, [script, join(dir, `raw-${mode}.db`), String(ms), mode], { encoding: 'utf8' })) as Raw;
}

const FANOUT: FanoutOptions = { watchers: 100, sampled: 5, writers: 8, durationMs: 4000, drainMs: 8000 };

async function creates(dir: string, mode: Mode): Promise<{ c1: LoadResult; c64: LoadResult; watch: FanoutResult }> {
  const file = join(dir, 'state.db');
  const store = mode === 'durable' ? `sqlite:${file}` : `sqlite:${file}?sync=normal`;
  const r = await spawnTandemServer(dir, ['--controllers', 'none', '--cluster-dns-listen', 'none', '--store', store]);
  const client = createClient(r.target, CLIENTS);
  try {
    await ensureNamespace(client, 'bench');
    const pods = createPodTemplate('bench');
    const names = podNames('bench');
    await createPods(client, pods, names, { concurrency: CLIENTS, durationMs: 500 }); // warm-up: connections, compiled code
    const c1 = await createPods(client, pods, names, { concurrency: 1, durationMs: 2500 });
    const c64 = await createPods(client, pods, names, { concurrency: CLIENTS, durationMs: 4000 });
    await ensureNamespace(client, 'bench-watch');
    const watch = await runWatchFanout(r.target, podDriver(client, 'bench-watch', createPodTemplate('bench-watch')), FANOUT);
    log(
      `${mode}: ${fmt(c1.rate)}/s (1 client, p50 ${fmt(c1.latencyMs.p50)} ms), ${fmt(c64.rate)}/s (${CLIENTS} clients, p99 ${fmt(c64.latencyMs.p99)} ms); ` +
        `watch ${fmt(watch.writesPerSec)} writes/s → ${fmt(watch.deliveredPerSec)} events/s, p50 ${fmt(watch.latencyMs.p50)} ms write→event`,
    );
    return { c1, c64, watch };
  } finally {
    client.close();
    await new Promise<void>((resolve) => {
      if (r.proc.exitCode !== null) return resolve();
      r.proc.once('exit', () => resolve());
      r.proc.kill('SIGTERM');
    });
  }
}

/** The store alone, in this process: `writers` concurrent creators of ~1 KB values for `ms`. */
async function storeCreates(file: string, spec: string, writers: number, ms: number): Promise<number> {
  const b = await createBackend(spec);
  const value = JSON.stringify({ pad: 'x'.repeat(1000) });
  let n = 0;
  const t0 = performance.now();
  const deadline = t0 + ms;
  try {
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; performance.now() < deadline; i++) {
          await b.create(`/registry/pods/bench/w${w}-${i}`, value);
          n++;
        }
      }),
    );
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await b.close();
    rmSync(file, { force: true });
  }
}

const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export async function runDurabilityPhase(): Promise<void> {
  if (!wanted('durability')) return;
  const root = mkdtempSync(join(tmpdir(), 'tandem-bench-durability-'));
  try {
    const disk = raw(root, 'fsync', 2000);
    log(`fdatasync of 4 KiB appends: ${fmt(disk.rate)}/s (${fmt(disk.msPerSync ?? Number.NaN, 2)} ms each)`);
    const rawNormal = raw(root, 'normal', 2000);
    const rawFull = raw(root, 'full', 2000);
    log(`raw SQLite inserts, one per transaction: ${fmt(rawNormal.rate)}/s synchronous=NORMAL, ${fmt(rawFull.rate)}/s synchronous=FULL`);
    const store: Record<Mode, { w1: number[]; w64: number[] }> = { durable: { w1: [], w64: [] }, normal: { w1: [], w64: [] } };
    let k = 0;
    for (const mode of ['durable', 'normal', 'normal', 'durable'] as const) {
      for (const writers of [1, CLIENTS]) {
        const file = join(root, `store-${k++}.db`);
        const rate = await storeCreates(file, mode === 'durable' ? `sqlite:${file}` : `sqlite:${file}?sync=normal`, writers, 1500);
        (writers === 1 ? store[mode].w1 : store[mode].w64).push(rate);
      }
    }
    log(
      `store alone: durable ${fmt(avg(store.durable.w1))}/s (1 writer), ${fmt(avg(store.durable.w64))}/s (${CLIENTS}); ` +
        `normal ${fmt(avg(store.normal.w1))}/s, ${fmt(avg(store.normal.w64))}/s`,
    );
    const got: Record<Mode, { c1: number[]; c64: number[]; p50: number[]; p99: number[]; ev: number[]; evMs: number[] }> = {
      durable: { c1: [], c64: [], p50: [], p99: [], ev: [], evMs: [] },
      normal: { c1: [], c64: [], p50: [], p99: [], ev: [], evMs: [] },
    };
    let run = 0;
    for (const mode of ['durable', 'normal', 'normal', 'durable'] as const) {
      const r = await creates(join(root, `api-${run++}`), mode);
      got[mode].c1.push(r.c1.rate);
      got[mode].p50.push(r.c1.latencyMs.p50);
      got[mode].c64.push(r.c64.rate);
      got[mode].p99.push(r.c64.latencyMs.p99);
      got[mode].ev.push(r.watch.deliveredPerSec);
      got[mode].evMs.push(r.watch.latencyMs.p50);
    }
    const d = got.durable;
    const n = got.normal;
    const out = process.stdout;
    out.write('\nDurability: fsync before the reply (issue 15 item 6); A/B alternated in one run, means of 2\n');
    out.write(
      `  disk: fdatasync of a 4 KiB append                 ${fmt(disk.rate)}/s (${fmt(disk.msPerSync ?? Number.NaN, 2)} ms each)\n`,
    );
    out.write(`  raw SQLite inserts, 1 row/transaction, NORMAL     ${fmt(rawNormal.rate)}/s\n`);
    out.write(`  raw SQLite inserts, 1 row/transaction, FULL       ${fmt(rawFull.rate)}/s (one fsync per row)\n`);
    out.write(
      `  store alone (Backend.create, in process), 1 writer:  durable ${fmt(avg(store.durable.w1))}/s, NORMAL ${fmt(avg(store.normal.w1))}/s\n`,
    );
    out.write(
      `  store alone, ${CLIENTS} concurrent writers:              durable ${fmt(avg(store.durable.w64))}/s, NORMAL ${fmt(avg(store.normal.w64))}/s\n`,
    );
    out.write(`  creates/s, 1 client,  durable (default)           ${fmt(avg(d.c1))}/s, p50 ${fmt(avg(d.p50), 2)} ms\n`);
    out.write(`  creates/s, 1 client,  synchronous=NORMAL          ${fmt(avg(n.c1))}/s, p50 ${fmt(avg(n.p50), 2)} ms\n`);
    out.write(`  creates/s, ${CLIENTS} clients, durable (default)          ${fmt(avg(d.c64))}/s, p99 ${fmt(avg(d.p99))} ms\n`);
    out.write(`  creates/s, ${CLIENTS} clients, synchronous=NORMAL         ${fmt(avg(n.c64))}/s, p99 ${fmt(avg(n.p99))} ms\n`);
    out.write(
      `  watch fan-out, ${FANOUT.watchers} watchers, ${FANOUT.writers} writers: durable ${fmt(avg(d.ev))} events/s (p50 ${fmt(avg(d.evMs), 2)} ms), ` +
        `NORMAL ${fmt(avg(n.ev))} events/s (p50 ${fmt(avg(n.evMs), 2)} ms)\n`,
    );
    out.write(
      `  durable/normal: ${fmt(avg(d.c1) / avg(n.c1), 2)} (1 client), ${fmt(avg(d.c64) / avg(n.c64), 2)} (${CLIENTS} clients); ` +
        `${fmt(avg(d.c64))} creates/s over at most ${fmt(disk.rate)} fsyncs/s: at least ${fmt(avg(d.c64) / disk.rate, 2)} writes per fsync needed\n`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
