// Preloaded into server children by the benchmark (node --expose-gc --import …/server-probe.js):
// on SIGUSR2 it runs a full GC and prints one `bench-probe {json}` line with heap and RSS figures to
// stderr. It changes nothing else in the server process.
//
// Node runs --import preloads in every worker thread started from a file too, so the same module
// answers inside the control-loop worker: the main thread asks the workers over a BroadcastChannel,
// each runs its own full GC and replies with its own isolate's figures (heap, external, array
// buffers), and the line carries them beside the main isolate's. RSS is the process's; what no
// isolate accounts for (RSS minus every heap and external) is native memory: SQLite, TLS, malloc
// arenas, code. With BENCH_PROBE_SNAPSHOT_DIR set, each isolate also writes a heap snapshot there.
// BENCH_PROBE_V8_FLAGS (e.g. "--heap-growing-percent=20") sets V8 flags in the server at its start.

import { join } from 'node:path';
import { memoryUsage } from 'node:process';
import { getHeapStatistics, setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { BroadcastChannel, isMainThread, threadId, workerData } from 'node:worker_threads';
import type { Probe } from './server-proc.js';

const CHANNEL = 'tandem-bench-probe';
/**
 * How long the main thread waits for the workers' replies: under the 5 s that requestProbe waits by
 * default. A worker busy for longer (seen under load at 30,000+ pods) is left out of the line, and
 * its memory counts in `native`.
 */
const WORKER_WAIT_MS = process.env['BENCH_PROBE_SNAPSHOT_DIR'] ? 120_000 : 4500;

/** one isolate's figures, as the bench reads them (server-proc.ts's Probe), plus a snapshot file when asked */
type IsolateFigures = NonNullable<Probe['workers']>[number] & { snapshot?: string };

const mb = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;

function fullGc(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return false;
  gc();
  gc();
  return true;
}

function isolateFigures(kind: string): IsolateFigures {
  fullGc();
  const m = memoryUsage();
  const h = getHeapStatistics();
  const dir = process.env['BENCH_PROBE_SNAPSHOT_DIR'];
  const snapshot = dir ? writeHeapSnapshot(join(dir, `server-${process.pid}-${kind}-${threadId}-${Date.now()}.heapsnapshot`)) : undefined;
  return {
    thread: threadId,
    kind,
    heapUsed: mb(m.heapUsed),
    heapTotal: mb(m.heapTotal),
    external: mb(m.external),
    arrayBuffers: mb(m.arrayBuffers),
    malloced: mb(h.malloced_memory),
    ...(snapshot ? { snapshot } : {}),
  };
}

/** What a worker is, from its workerData: the control-loop host's carries the leader identity and tokens (never printed). */
function workerKind(): string {
  const d = workerData as { identity?: unknown; tokens?: unknown } | undefined;
  return typeof d === 'object' && d !== null && 'identity' in d && 'tokens' in d ? 'control-loops' : 'worker';
}

// V8 flags for a measurement of the server alone (NODE_OPTIONS refuses most V8 flags, and would reach every child)
const v8Flags = process.env['BENCH_PROBE_V8_FLAGS'];
if (v8Flags && isMainThread) setFlagsFromString(v8Flags);

if (isMainThread) {
  // the workers say hello when they load and bye when they exit, so a probe waits for exactly those alive
  const alive = new Set<number>();
  const roster = new BroadcastChannel(CHANNEL);
  roster.onmessage = (e) => {
    const d = (e as MessageEvent).data as { t?: string; thread?: number };
    if (d.t === 'hello' && typeof d.thread === 'number') alive.add(d.thread);
    if (d.t === 'bye' && typeof d.thread === 'number') alive.delete(d.thread);
  };
  roster.unref();
  process.on('SIGUSR2', () => {
    const ch = new BroadcastChannel(CHANNEL);
    const workers: IsolateFigures[] = [];
    const report = () => {
      clearTimeout(timer);
      ch.close();
      const rss = memoryUsage().rss;
      const all = [main, ...workers];
      const accounted = all.reduce((s, f) => s + f.heapTotal + f.external + f.malloced, 0);
      const line = {
        rss: mb(rss),
        heapUsed: main.heapUsed,
        heapTotal: main.heapTotal,
        external: main.external,
        arrayBuffers: main.arrayBuffers,
        gc: main.gc,
        malloced: main.malloced,
        workers,
        native: Math.round((mb(rss) - accounted) * 10) / 10,
        ...(main.snapshot ? { snapshot: main.snapshot } : {}),
      };
      process.stderr.write(`bench-probe ${JSON.stringify(line)}\n`);
    };
    const timer = setTimeout(report, WORKER_WAIT_MS);
    ch.onmessage = (e) => {
      const d = (e as MessageEvent).data as { t?: string; figures?: IsolateFigures };
      if (d.t !== 'figures' || !d.figures) return;
      workers.push(d.figures);
      if (workers.length >= alive.size) report();
    };
    ch.postMessage({ t: 'ask' });
    // the main isolate's GC runs while the workers run theirs
    const main = { ...isolateFigures('main'), gc: typeof (globalThis as { gc?: unknown }).gc === 'function' };
    if (alive.size === 0) report();
  });
} else {
  const ch = new BroadcastChannel(CHANNEL);
  ch.onmessage = (e) => {
    const d = (e as MessageEvent).data as { t?: string };
    if (d.t === 'ask') ch.postMessage({ t: 'figures', figures: isolateFigures(workerKind()) });
  };
  ch.postMessage({ t: 'hello', thread: threadId });
  process.once('exit', () => ch.postMessage({ t: 'bye', thread: threadId }));
  // the channel must not keep a worker alive that has finished its work
  ch.unref();
}
