// Watch fan-out: N watch connections, a closed-loop writer, and the number of events every watcher
// receives. Watchers only count newlines; a few sampled watchers also pull the first
// "resourceVersion" out of each line to time write ack → receipt. The same runner drives the tandem
// server (pods in one namespace) and the no-op server's broadcast endpoint (the machine's ceiling).

import https from 'node:https';
import type { ClientRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createAgent, type Client, type Target } from './http-load.js';
import type { PodTemplate } from './pod-fixture.js';
import { summarize, type LatencySummary } from './stats.js';

export interface FanoutOptions {
  watchers: number;
  /** watchers that also time each event */
  sampled: number;
  writers: number;
  durationMs: number;
  /** how long to wait for stragglers after the last write */
  drainMs: number;
  /** the watchers' Accept header (default application/json); e.g. PartialObjectMetadata as the garbage collector asks */
  accept?: string;
}

/** What is watched and how one writer step writes; `ack(rv)` is called once per acknowledged event. */
export interface FanoutDriver {
  watchPath(): Promise<string>;
  write(worker: number, ack: (rv: string | undefined) => void): Promise<void>;
}

export interface FanoutResult {
  writes: number;
  writeErrors: number;
  writesPerSec: number;
  delivered: number;
  deliveredPerSec: number;
  /** watchers that received every write */
  complete: number;
  watchers: number;
  /** ack → receipt on the sampled watchers (negative values, an event before its ack, count as 0) */
  latencyMs: LatencySummary;
  seconds: number;
  /** bytes received per watcher per event (the event size on the wire) */
  eventBytes: number;
  firstError: string | undefined;
}

const RV = /"resourceVersion":"(\d+)"/;

interface Watcher {
  count: number;
  bytes: number;
  req: ClientRequest;
}

function openWatch(t: Target, agent: https.Agent, path: string, accept: string, onChunk: (c: Buffer) => void): Promise<Watcher> {
  return new Promise<Watcher>((resolve, reject) => {
    const headers: Record<string, string> = { accept };
    if (t.token) headers['authorization'] = `Bearer ${t.token}`;
    const w: Watcher = {
      count: 0,
      bytes: 0,
      req: https.request({ host: t.host, port: t.port, path, method: 'GET', ca: t.ca, agent, headers }),
    };
    w.req.on('response', (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`watch answered ${res.statusCode}`));
        res.resume();
        return;
      }
      res.on('data', (c: Buffer) => {
        let n = 0;
        let i = c.indexOf(10);
        while (i !== -1) {
          n++;
          i = c.indexOf(10, i + 1);
        }
        w.count += n;
        w.bytes += c.length;
        onChunk(c);
      });
      res.on('error', () => undefined);
      resolve(w);
    });
    w.req.on('error', (err) => reject(err));
    w.req.end();
  });
}

function sampler(into: Map<string, number>): (c: Buffer) => void {
  let rest = '';
  return (c) => {
    const now = performance.now();
    const lines = (rest + c.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const m = RV.exec(line);
      if (m?.[1]) into.set(m[1], now);
    }
  };
}

export async function runWatchFanout(t: Target, driver: FanoutDriver, o: FanoutOptions): Promise<FanoutResult> {
  const path = await driver.watchPath();
  const agent = createAgent(o.watchers + 1);
  const sampled: Map<string, number>[] = [];
  const opened: Promise<Watcher>[] = [];
  for (let w = 0; w < o.watchers; w++) {
    let onChunk: (c: Buffer) => void = () => undefined;
    if (w < o.sampled) {
      const seen = new Map<string, number>();
      sampled.push(seen);
      onChunk = sampler(seen);
    }
    opened.push(openWatch(t, agent, path, o.accept ?? 'application/json', onChunk));
  }
  const watchers = await Promise.all(opened);

  const ackAt = new Map<string, number>();
  let writes = 0;
  let writeErrors = 0;
  let firstError: string | undefined;
  const ack = (rv: string | undefined) => {
    writes++;
    if (rv) ackAt.set(rv, performance.now());
  };
  const start = performance.now();
  const deadline = start + o.durationMs;
  const writer = async (id: number) => {
    while (performance.now() < deadline) {
      try {
        await driver.write(id, ack);
      } catch (err) {
        writeErrors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: o.writers }, (_, i) => writer(i)));
  const writeEnd = performance.now();
  // drain: until every watcher has every write, nothing arrives for 3 s, or the budget runs out
  let lastChange = performance.now();
  let lastTotal = -1;
  for (;;) {
    const total = watchers.reduce((s, w) => s + w.count, 0);
    if (total !== lastTotal) {
      lastTotal = total;
      lastChange = performance.now();
    }
    if (watchers.every((w) => w.count >= writes)) break;
    if (performance.now() - writeEnd > o.drainMs || performance.now() - lastChange > 3000) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const delivered = watchers.reduce((s, w) => s + Math.min(w.count, writes), 0);
  const received = watchers.reduce((s, w) => s + w.count, 0);
  const bytes = watchers.reduce((s, w) => s + w.bytes, 0);
  const lat: number[] = [];
  for (const seen of sampled) {
    for (const [rv, at] of seen) {
      const a = ackAt.get(rv);
      if (a !== undefined) lat.push(Math.max(0, at - a));
    }
  }
  for (const w of watchers) w.req.destroy();
  agent.destroy();
  const seconds = (lastChange - start) / 1000;
  return {
    writes,
    writeErrors,
    writesPerSec: writes / ((writeEnd - start) / 1000),
    delivered,
    deliveredPerSec: delivered / seconds,
    complete: watchers.filter((w) => w.count >= writes).length,
    watchers: watchers.length,
    latencyMs: summarize(lat),
    seconds,
    eventBytes: received > 0 ? bytes / received : 0,
    firstError,
  };
}

/** Pods in one namespace of the tandem server: each writer step creates a pod, then merge-patches it. */
export function podDriver(client: Client, namespace: string, pods: PodTemplate): FanoutDriver {
  const base = `/api/v1/namespaces/${namespace}/pods`;
  const patch = JSON.stringify({ metadata: { labels: { phase: 'updated' } } });
  let seq = 0;
  const check = (status: number, want: number, body: string | undefined): string | undefined => {
    if (status !== want) throw new Error(`HTTP ${status}: ${(body ?? '').slice(0, 200)}`);
    return RV.exec(body ?? '')?.[1];
  };
  return {
    async watchPath() {
      const list = await client.send('GET', `${base}?limit=1`, undefined, { keepBody: true });
      const rv = RV.exec(list.body ?? '')?.[1] ?? '0';
      return `${base}?watch=1&resourceVersion=${rv}&allowWatchBookmarks=false`;
    },
    async write(id, ack) {
      const name = `w${id}-${seq++}`;
      const c = await client.send('POST', base, pods.body(name), { keepBody: true });
      ack(check(c.status, 201, c.body));
      const p = await client.send('PATCH', `${base}/${name}`, patch, { keepBody: true, contentType: 'application/merge-patch+json' });
      ack(check(p.status, 200, p.body));
    },
  };
}

/** The no-op server: POST /broadcast with an event object; it writes one line to every GET /watch. */
export function broadcastDriver(client: Client, eventObject: string): FanoutDriver {
  return {
    watchPath: async () => '/watch',
    async write(_id, ack) {
      const r = await client.send('POST', '/broadcast', eventObject, { keepBody: true });
      if (r.status !== 201) throw new Error(`HTTP ${r.status}`);
      ack(RV.exec(r.body ?? '')?.[1]);
    },
  };
}
