// The web view bench's cluster: a default `tandem server` with its web view on, a mixed `tandem sim`
// fleet (Linux nodes, and Windows nodes of two builds, half of them offering Hyper-V) and Deployments
// of 3,000 replicas per namespace (L5's pods per namespace) until the pods asked for are all Ready.
// The page then reads real objects through the real UI server and API server; `churn` changes pods'
// state the way users see it happen (a pod deleted, its replacement created, scheduled, Running).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureNamespace } from './api-phases.js';
import { startSimChild, type Child } from './cluster-proc.js';
import { createClient, type Client } from './http-load.js';
import { rssMb } from './machine.js';
import { sampleReady } from './scale-load.js';
import { spawnTandemServer } from './server-proc.js';
import { fmt } from './stats.js';
import { deploymentJson } from './scale-config.js';
import { pushIndex, startRegistry, windowsStandIn, type Registry } from '../test/images/registry.js';

const PER_NS = 3000;
const NS_PREFIX = 'ui-';
const log = (s: string) => process.stderr.write(`[bench ui] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface UiCluster {
  /** the web view's origin (https://127.0.0.1:PORT) */
  uiUrl: string;
  /** a fresh one-time login link, as `tandem ui` prints it */
  loginLink(): Promise<string>;
  /** deletes `count` Running pods, spread evenly over `overMs`; their ReplicaSets replace them */
  churn(count: number, overMs: number): Promise<{ deleted: number; failed: number }>;
  buildMs: number;
  serverRssMb(): number;
  stop(): Promise<void>;
}

interface Fleet {
  os: 'linux' | 'windows';
  nodes: number;
  args: string[];
}

/** 60% Linux, 40% Windows (half on build 20348 with Hyper-V, half on 26100), as the stand-in fixture. */
function fleets(nodes: number): Fleet[] {
  const win = Math.floor(nodes * 0.4);
  const w1 = Math.ceil(win / 2);
  const out: Fleet[] = [
    { os: 'linux', nodes: nodes - win, args: ['--os', 'linux', '--name-prefix', 'lin-', '--zones', '3'] },
    { os: 'windows', nodes: w1, args: ['--os', 'windows', '--name-prefix', 'win-a-', '--windows-build', '10.0.20348', '--hyperv'] },
    { os: 'windows', nodes: win - w1, args: ['--os', 'windows', '--name-prefix', 'win-b-', '--windows-build', '10.0.26100'] },
  ];
  return out.filter((f) => f.nodes > 0);
}

/** The Windows pods' image: a stand-in index with 20348 and 26100 entries in a loopback registry, for the
 * isolation autopilot reads a Windows image's builds before it places a pod (docs/simulator.md). */
async function windowsImage(root: string): Promise<{ reg: Registry; image: string }> {
  const reg = await startRegistry({ dir: join(root, 'registry') });
  try {
    await pushIndex(reg.url, 'bench/win-app', '1', windowsStandIn('bench/win-app', ['10.0.20348.1', '10.0.26100.1']));
  } catch (e) {
    await reg.stop();
    throw e;
  }
  return { reg, image: `${reg.host}/bench/win-app:1` };
}

async function waitAllReady(client: Client, total: number, timeoutMs: number): Promise<void> {
  const t0 = performance.now();
  const sampler = sampleReady(client, NS_PREFIX, t0);
  try {
    let next = t0 + 10_000;
    for (;;) {
      await sleep(500);
      const cur = sampler.latest();
      if (cur.ready >= total) return;
      const now = performance.now();
      if (now - t0 > timeoutMs) throw new Error(`only ${cur.ready} of ${total} pods Ready after ${Math.round(timeoutMs / 1000)} s`);
      if (now >= next) {
        next += 10_000;
        log(`${fmt(cur.ready, 0)}/${fmt(total, 0)} pods Ready after ${fmt((now - t0) / 1000, 0)} s`);
      }
    }
  } finally {
    sampler.stop();
  }
}

async function send(client: Client, method: string, path: string, body?: string): Promise<string> {
  const r = await client.send(method, path, body, { keepBody: true });
  if (r.status >= 300) throw new Error(`${method} ${path}: HTTP ${r.status} ${r.body ?? ''}`);
  return r.body ?? '';
}

/** `root` (an empty folder) receives the server's data dir and the registry's. */
export async function startUiCluster(root: string, nodes: number, pods: number): Promise<UiCluster> {
  const t0 = performance.now();
  const dataDir = join(root, 'server');
  const win = await windowsImage(root);
  const srv = await spawnTandemServer(dataDir, ['--ui-listen', '127.0.0.1:0']).catch(async (e: unknown) => {
    await win.reg.stop();
    throw e;
  });
  const sims: Child[] = [];
  const client = createClient(srv.target, 16);
  const stop = async () => {
    client.close();
    for (const s of sims) await s.stop(30_000);
    srv.proc.kill('SIGTERM');
    await new Promise((r) => (srv.proc.exitCode !== null ? r(undefined) : srv.proc.once('exit', r)));
    await win.reg.stop();
  };
  try {
    const uiUrl = readFileSync(join(dataDir, 'ui.url'), 'utf8').trim();
    const plan = fleets(nodes);
    for (const f of plan) sims.push(await startSimChild(dataDir, ['--nodes', String(f.nodes), ...f.args], 900_000));
    log(`${plan.map((f) => `${fmt(f.nodes, 0)} ${f.os}`).join(' + ')} sim nodes registered`);
    const linuxShare = (plan.find((f) => f.os === 'linux')?.nodes ?? 0) / nodes;
    const namespaces = Math.ceil(pods / PER_NS);
    for (let i = 0, left = pods; left > 0; i++, left -= PER_NS) {
      const ns = `${NS_PREFIX}${i}`;
      await ensureNamespace(client, ns);
      const os = i < Math.round(namespaces * linuxShare) ? 'linux' : 'windows';
      await send(
        client,
        'POST',
        `/apis/apps/v1/namespaces/${ns}/deployments`,
        deploymentJson(`app-${i}`, Math.min(PER_NS, left), { os, ...(os === 'windows' ? { image: win.image } : {}) }),
      );
    }
    await waitAllReady(client, pods, 900_000);
    const buildMs = performance.now() - t0;
    log(`${fmt(pods, 0)} pods Ready on ${fmt(nodes, 0)} nodes; cluster built in ${fmt(buildMs / 1000, 1)} s`);

    const ca = srv.target.ca;
    const token = srv.target.token ?? '';
    const loginLink = async () => {
      const r = await fetchJson(`${uiUrl}/ui/api/login-links`, ca, token);
      return r.url;
    };
    let round = 0;
    const churn = async (count: number, overMs: number) => {
      const ns = `${NS_PREFIX}${round++ % namespaces}`;
      const list = JSON.parse(await send(client, 'GET', `/api/v1/namespaces/${ns}/pods?limit=${count}`)) as {
        items: { metadata: { name: string } }[];
      };
      const names = list.items.map((p) => p.metadata.name);
      let deleted = 0;
      let failed = 0;
      const step = 50;
      const perStep = Math.ceil(names.length / (overMs / step));
      const inflight: Promise<void>[] = [];
      for (let i = 0; i < names.length;) {
        for (let k = 0; k < perStep && i < names.length; k++, i++)
          inflight.push(
            client.send('DELETE', `/api/v1/namespaces/${ns}/pods/${names[i]}`).then(
              (r) => void (r.status < 300 ? deleted++ : failed++),
              () => void failed++,
            ),
          );
        await sleep(step);
      }
      await Promise.all(inflight);
      return { deleted, failed };
    };
    return { uiUrl, loginLink, churn, buildMs, serverRssMb: () => rssMb(srv.proc.pid ?? -1), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** POST the UI server's login-link endpoint as `tandem ui` does (bearer token, X-Tandem-UI header). */
async function fetchJson(url: string, ca: string, token: string): Promise<{ url: string }> {
  const { request } = await import('node:https');
  return new Promise((res, rej) => {
    const req = request(
      url,
      { method: 'POST', ca, headers: { authorization: `Bearer ${token}`, 'x-tandem-ui': '1', 'content-length': 0 } },
      (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (body += c));
        r.on('end', () =>
          r.statusCode === 201 ? res(JSON.parse(body) as { url: string }) : rej(new Error(`login link: HTTP ${r.statusCode} ${body}`)),
        );
      },
    );
    req.on('error', rej);
    req.end();
  });
}
