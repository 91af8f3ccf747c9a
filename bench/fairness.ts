// The fairness phase (BENCH_ONLY=fairness; also `node dist/bench/fairness.js`): /readyz and a node's
// Lease heartbeat latency while 8 clients loop LISTs with a 1,500-value label selector over 50,000
// ConfigMaps (written straight into the stopped server's SQLite store). Runs the same load against
// this build with API Priority and Fairness on and off, and against another build for "before"
// (BENCH_FAIR_BEFORE=path/to/bin/tandem.js), alternating, so the machine's noise hits all alike.

import { spawn, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createBackend } from '../src/storage/index.js';
import { wanted } from './cluster-phases.js';
import { TANDEM } from './server-proc.js';

const OBJECTS = 50_000;
const LISTERS = 8;
const LOAD_MS = 8_000;

interface Variant {
  name: string;
  bin: string;
  args: string[];
}

interface Figures {
  variant: string;
  lists: number;
  listP50: number;
  readyP50: number;
  readyMax: number;
  beatP50: number;
  beatMax: number;
}

async function fill(dataDir: string): Promise<void> {
  const b = await createBackend(`sqlite:${join(dataDir, 'state.db')}`);
  let batch: Promise<unknown>[] = [];
  for (let i = 0; i < OBJECTS; i++) {
    const name = `cm-${i}`;
    const metadata = { name, namespace: 'default', uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` };
    const obj = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { ...metadata, labels: { app: `a${i % 5000}` } }, data: { k: `v${i}` } };
    batch.push(b.create(`/registry/core/configmaps/default/${name}`, JSON.stringify(obj)));
    if (batch.length >= 1000) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  await b.close();
}

async function start(bin: string, dataDir: string, args: string[]): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(
    process.execPath,
    [bin, 'server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--controllers', 'none', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready:\n${out}`)), 60_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /ready in \d+ ms at (https:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
  });
  return { proc, url };
}

const stop = (proc: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });

function requester(url: string, ca: string, token: string) {
  const base = new URL(url);
  const agent = new https.Agent({ ca, keepAlive: true, maxSockets: 1 });
  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string, auth = true) =>
    new Promise<{ status: number; text: string; ms: number }>((resolve, reject) => {
      const t0 = performance.now();
      const h: Record<string, string> = { ...headers, ...(auth ? { Authorization: `Bearer ${token}` } : {}) };
      if (body !== undefined) h['Content-Type'] = 'application/json';
      const req = https.request({ host: base.hostname, port: base.port, method, path, headers: h, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), ms: performance.now() - t0 }));
      });
      req.on('error', reject);
      req.end(body);
    });
  return { call, close: () => agent.destroy() };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? 0;
const node = { 'Impersonate-User': 'system:node:fair-1', 'Impersonate-Group': 'system:nodes' };
const LEASE = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
const micro = () => new Date().toISOString().replace('Z', '000Z');

async function runOnce(v: Variant): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-fair-'));
  try {
    await stop((await start(v.bin, dir, v.args)).proc);
    await fill(dir);
    const srv = await start(v.bin, dir, v.args);
    const ca = readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8');
    const token = readFileSync(join(dir, 'pki', 'admin.token'), 'utf8').trim();
    const admin = requester(srv.url, ca, token);
    const rbac = '/apis/rbac.authorization.k8s.io/v1';
    const rule = { apiGroups: [''], resources: ['configmaps'], verbs: ['list'] };
    await admin.call(
      'POST',
      `${rbac}/clusterroles`,
      {},
      JSON.stringify({ kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'fair' }, rules: [rule] }),
    );
    const subjects = [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'fair:listers' }];
    const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'fair' };
    await admin.call(
      'POST',
      `${rbac}/clusterrolebindings`,
      {},
      JSON.stringify({
        kind: 'ClusterRoleBinding',
        apiVersion: 'rbac.authorization.k8s.io/v1',
        metadata: { name: 'fair' },
        roleRef,
        subjects,
      }),
    );
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'fair-1' },
      spec: { holderIdentity: 'fair-1', renewTime: micro() },
    };
    await admin.call('POST', LEASE, node, JSON.stringify(lease));
    const values = Array.from({ length: 1499 }, (_, i) => `n${i}`).concat('a7');
    const path = `/api/v1/configmaps?labelSelector=${encodeURIComponent(`app in (${values.join(',')})`)}`;
    const lister = (i: number) => ({ 'Impersonate-User': `lister-${i}`, 'Impersonate-Group': 'fair:listers' });
    for (let i = 0; i < 100 && (await admin.call('GET', '/api/v1/namespaces/default/configmaps?limit=1', lister(0))).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 100));
    let done = false;
    const lists: number[] = [];
    const clients = Array.from({ length: LISTERS }, () => requester(srv.url, ca, token));
    const loops = clients.map(async (c, i) => {
      while (!done) {
        const r = await c.call('GET', path, lister(i));
        if (r.status === 200) lists.push(r.ms);
      }
    });
    await new Promise((r) => setTimeout(r, 500));
    const probe = requester(srv.url, ca, token);
    const ready: number[] = [];
    const beats: number[] = [];
    const end = Date.now() + LOAD_MS;
    while (Date.now() < end) {
      ready.push((await probe.call('GET', '/readyz', {}, undefined, false)).ms);
      const got = await probe.call('GET', `${LEASE}/fair-1`, node);
      const l = JSON.parse(got.text) as { spec: Record<string, unknown> };
      l.spec['renewTime'] = micro();
      const put = await probe.call('PUT', `${LEASE}/fair-1`, node, JSON.stringify(l));
      beats.push(got.ms + put.ms);
      await new Promise((r) => setTimeout(r, 100));
    }
    done = true;
    await Promise.all(loops);
    [admin, probe, ...clients].forEach((c) => c.close());
    await stop(srv.proc);
    return {
      variant: v.name,
      lists: lists.length,
      listP50: pct(lists, 50),
      readyP50: pct(ready, 50),
      readyMax: Math.max(...ready),
      beatP50: pct(beats, 50),
      beatMax: Math.max(...beats),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runFairnessPhase(): Promise<void> {
  if (wanted('fairness')) await measureFairness();
}

async function measureFairness(): Promise<void> {
  const variants: Variant[] = [
    { name: 'this build, APF on (default)', bin: TANDEM, args: [] },
    { name: 'this build, --enable-priority-and-fairness false', bin: TANDEM, args: ['--enable-priority-and-fairness', 'false'] },
  ];
  const before = process.env['BENCH_FAIR_BEFORE'];
  if (before) variants.unshift({ name: `before (${before})`, bin: before, args: [] });
  const rounds = Number(process.env['BENCH_FAIR_ROUNDS'] ?? '1');
  const all: Figures[] = [];
  for (let r = 0; r < rounds; r++) for (const v of variants) all.push(await runOnce(v));
  const f = (n: number) => n.toFixed(0);
  process.stdout.write(`\n## fairness: ${LISTERS} clients LIST with a 1,500-value selector over ${OBJECTS} ConfigMaps\n`);
  process.stdout.write(
    '| variant | LISTs in 8 s | LIST p50 ms | /readyz p50 ms | /readyz max ms | heartbeat p50 ms | heartbeat max ms |\n|---|---|---|---|---|---|---|\n',
  );
  for (const x of all)
    process.stdout.write(
      `| ${x.variant} | ${x.lists} | ${f(x.listP50)} | ${f(x.readyP50)} | ${f(x.readyMax)} | ${f(x.beatP50)} | ${f(x.beatMax)} |\n`,
    );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  measureFairness().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
