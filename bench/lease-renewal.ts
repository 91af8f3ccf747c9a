// The cost of one node Lease renewal on the server (issue 15, item 2): the steady-state write load of
// an idle cluster is 5,000 nodes × one renewal per 10 s = 500 PUTs/s. N node Leases are created in
// kube-node-lease, one watcher follows them (the node-lifecycle controller's informer), then clients
// renew them as a simulated node does (PUT of the whole Lease with the last resourceVersion and a
// new spec.renewTime) at 500 a second, open loop, as 5,000 nodes' heartbeats arrive. The figure is the server process's CPU time (user + system, TLS and HTTP
// included) divided by the renewals: µs per renewal; ≤ 500 µs is 25% of a core at 500/s.
//
// `BENCH_ONLY=lease-renewal npm run bench`; BENCH_PROF=1 also prints the server's CPU profile hot spots.

import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedLoop, createClient, type Client } from './http-load.js';
import { startTandem } from './server-proc.js';
import { ensureNamespace } from './api-phases.js';
import { loadProfile, renderProfile, summarizeProfile } from './prof-top.js';
import { fmt, summarize } from './stats.js';
import { performance } from 'node:perf_hooks';

const NS = 'kube-node-lease';
const RV = /"resourceVersion":"(\d+)"/;

export interface LeaseRenewal {
  leases: number;
  renewals: number;
  renewalsPerSec: number;
  /** server CPU (user + system) per renewal */
  usPerRenewal: number;
  /** server CPU over the timed renewals, in cores (0.25: a quarter of one core) */
  cpuShare: number;
  p99Ms: number;
  errors: number;
  watchedEvents: number;
}

const micro = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

function lease(name: string, rv: string | undefined, ms: number): string {
  const metadata: Record<string, unknown> = { name, namespace: NS };
  if (rv) metadata['resourceVersion'] = rv;
  metadata['ownerReferences'] = [
    { apiVersion: 'v1', kind: 'Node', name, uid: `00000000-0000-4000-8000-${name.slice(-12).padStart(12, '0')}` },
  ];
  return JSON.stringify({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata,
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: micro(ms) },
  });
}

async function createLeases(client: Client, n: number): Promise<string[]> {
  const rvs: string[] = new Array<string>(n);
  const r = await closedLoop({
    concurrency: 16,
    durationMs: 120_000,
    maxRequests: n,
    op: async (i) => {
      const res = await client.send(
        'POST',
        `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`,
        lease(`sim-node-${i}`, undefined, Date.now()),
        {
          keepBody: true,
        },
      );
      rvs[i] = RV.exec(res.body ?? '')?.[1] ?? '';
      return res.status === 201 || `HTTP ${res.status}`;
    },
  });
  if (r.errors) throw new Error(`creating leases: ${r.firstError ?? ''}`);
  return rvs;
}

/** Counts the events of one watch on the Leases (what the node-lifecycle controller's informer costs the server). */
function watchLeases(client: Client, s: { target: { host: string; port: number; ca: string; token?: string } }, rv: string) {
  let events = 0;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (s.target.token) headers['authorization'] = `Bearer ${s.target.token}`;
  const req = https.request({
    host: s.target.host,
    port: s.target.port,
    ca: s.target.ca,
    agent: client.agent,
    headers,
    path: `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases?watch=1&resourceVersion=${rv}`,
  });
  req.on('response', (res) =>
    res.on('data', (c: Buffer) => {
      for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) events++;
    }),
  );
  req.on('error', () => undefined);
  req.end();
  return { events: () => events, close: () => req.destroy() };
}

/** `rate` operations a second (open loop, as heartbeats arrive), for `durationMs`. */
async function paced(rate: number, durationMs: number, op: (i: number) => Promise<true | string>) {
  const lat: number[] = [];
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  let issued = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  while (performance.now() - start < durationMs) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    for (; issued < due; issued++) {
      const t0 = performance.now();
      pending.push(
        op(issued).then(
          (r) => {
            if (r === true) {
              ok++;
              lat.push(performance.now() - t0);
            } else {
              errors++;
              firstError ??= r;
            }
          },
          (e: unknown) => {
            errors++;
            firstError ??= String(e);
          },
        ),
      );
    }
    await new Promise((res) => setTimeout(res, 5));
  }
  await Promise.all(pending);
  return { ok, errors, firstError, rate: ok / ((performance.now() - start) / 1000), latencyMs: summarize(lat) };
}

export async function runLeaseRenewalPhase(
  o: { leases?: number; rate?: number; durationMs?: number; store?: 'sqlite' | 'memory' } = {},
): Promise<LeaseRenewal> {
  const n = o.leases ?? 5000;
  const root = mkdtempSync(join(tmpdir(), 'tandem-lease-'));
  const profDir = process.env['BENCH_PROF'] ? join(root, 'prof') : undefined;
  if (profDir) mkdirSync(profDir);
  const s = await startTandem({ dataDir: join(root, 'data'), controllers: 'none', store: o.store, cpuProfDir: profDir });
  const client = createClient(s.target, 17);
  let result: LeaseRenewal;
  const window = { fromUs: 0, toUs: 0 };
  try {
    await ensureNamespace(client, NS);
    const rvs = await createLeases(client, n);
    const w = watchLeases(
      client,
      s,
      rvs.reduce((a, b) => (Number(b) > Number(a) ? b : a), '0'),
    );
    const renew = async (i: number) => {
      const k = i % n;
      const name = `sim-node-${k}`;
      const res = await client.send(
        'PUT',
        `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${name}`,
        lease(name, rvs[k], Date.now()),
        {
          keepBody: true,
        },
      );
      if (res.status !== 200) return `HTTP ${res.status}: ${(res.body ?? '').slice(0, 200)}`;
      rvs[k] = RV.exec(res.body ?? '')?.[1] ?? '';
      return true;
    };
    await closedLoop({ concurrency: 16, durationMs: 1000, op: renew }); // warm-up
    const cpu0 = s.cpuSeconds();
    window.fromUs = Number(process.hrtime.bigint() / 1000n);
    const r = await paced(o.rate ?? 500, o.durationMs ?? 10_000, renew);
    const cpu = s.cpuSeconds() - cpu0;
    window.toUs = Number(process.hrtime.bigint() / 1000n);
    await new Promise((res) => setTimeout(res, 300));
    w.close();
    result = {
      leases: n,
      renewals: r.ok,
      renewalsPerSec: r.rate,
      usPerRenewal: (cpu * 1e6) / Math.max(1, r.ok + r.errors),
      cpuShare: cpu / ((window.toUs - window.fromUs) / 1e6),
      p99Ms: r.latencyMs.p99,
      errors: r.errors,
      watchedEvents: w.events(),
    };
  } finally {
    client.close();
    await s.stop();
  }
  process.stdout.write(
    `lease renewals (${fmt(n)} Leases, 1 watcher): ${fmt(result.renewalsPerSec)}/s, server CPU ${fmt(result.usPerRenewal, 0)} µs per renewal, ` +
      `${fmt(result.cpuShare * 100, 1)}% of a core (target ≤ 500 µs, ≤ 25% at 500/s), p99 ${fmt(result.p99Ms, 1)} ms, ${result.errors} errors, ${fmt(result.watchedEvents)} events watched\n`,
  );
  if (profDir) {
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (file)
      process.stderr.write(
        `${renderProfile('lease renewals: server CPU profile of the timed renewals', summarizeProfile(loadProfile(join(profDir, file)), 25, window), 25)}\n`,
      );
  }
  rmSync(root, { recursive: true, force: true });
  return result;
}
