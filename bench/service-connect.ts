// `node dist/bench/service-connect.js`: time from a Service's create to the first TCP connection through
// its ClusterIP that reaches the pod (issue 12's target: p99 ≤ 1 s). `tandem server` and `tandem agent
// --runtime process --proxy nftables` on this host; one backend pod (a node HTTP server, a native
// process); then 20 times: POST a Service selecting it, and connect to ClusterIP:80 from this host every
// 20 ms until an HTTP request through it gets the backend's own answer (the nftables output chain DNATs
// the host's own traffic). Needs root and nft; says so otherwise.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildImage } from '../src/agent/images/oci.js';
import { freePort, pushImage, startRegistry } from '../test/images/registry.js';
import { createClient } from './http-load.js';
import { spawnUntilReady, startTandem, TANDEM } from './server-proc.js';
import { fmt, summarize } from './stats.js';

const SERVICES = 20;
const NS = 'default';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One HTTP GET through host:port that the backend itself answers (its token in the body): a bare TCP
 *  connect proves nothing where a network's gateway accepts every connection (this sandbox's does). */
function reachesBackend(host: string, port: number, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/', timeout: 300, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body === token));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

async function main(): Promise<void> {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || spawnSync('nft', ['--version']).status !== 0) {
    process.stdout.write('skipped: needs root and nft (the nftables service proxy)\n');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-svc-'));
  const registry = await startRegistry({ dir: join(dir, 'registry') });
  const server = await startTandem({ dataDir: join(dir, 'server') });
  const c = createClient(server.target, 4);
  let agent: Awaited<ReturnType<typeof spawnUntilReady>> | undefined;
  try {
    await pushImage(registry.url, 'bench/empty', '1', buildImage({ name: 'e', entries: [{ type: 'dir', path: 'app' }] }));
    agent = await spawnUntilReady({
      args: [TANDEM, 'agent', '--kubeconfig', join(dir, 'server', 'kubeconfig'), '--data-dir', join(dir, 'agent')].concat([
        '--runtime',
        'process',
        '--proxy',
        'nftables',
        '--node-name',
        'bench-svc',
        '--streaming-port',
        String(await freePort()),
      ]),
      readyPattern: /node \S+ ready: joined/,
      timeoutMs: 60_000,
    });
    const port = await freePort();
    const token = `bench-backend-${randomBytes(6).toString('hex')}`;
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'backend', namespace: NS, labels: { app: 'bench-backend' } },
      spec: {
        runtimeClassName: 'process',
        containers: [
          {
            name: 'http',
            image: `${new URL(registry.url).host}/bench/empty:1`,
            command: [process.execPath, '-e', `require('http').createServer((q, s) => s.end('${token}')).listen(${port})`],
            readinessProbe: { tcpSocket: { port }, periodSeconds: 1 },
          },
        ],
      },
    };
    const created = await c.send('POST', `/api/v1/namespaces/${NS}/pods`, JSON.stringify(pod));
    if (created.status !== 201) throw new Error(`backend pod: ${created.status}`);
    for (const end = Date.now() + 60_000; ;) {
      const r = await c.send('GET', `/api/v1/namespaces/${NS}/pods/backend`, undefined, { keepBody: true });
      const ready = (
        (JSON.parse(r.body ?? '{}') as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? []
      ).some((x) => x.type === 'Ready' && x.status === 'True');
      if (ready) break;
      if (Date.now() > end) throw new Error('the backend pod did not become Ready');
      await sleep(200);
    }
    const times: number[] = [];
    for (let i = 0; i < SERVICES; i++) {
      const svc = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `svc-${i}`, namespace: NS },
        spec: { selector: { app: 'bench-backend' }, ports: [{ port: 80, targetPort: port }] },
      };
      const t0 = performance.now();
      const r = await c.send('POST', `/api/v1/namespaces/${NS}/services`, JSON.stringify(svc), { keepBody: true });
      if (r.status !== 201) throw new Error(`service ${i}: ${r.status} ${r.body ?? ''}`);
      const ip = (JSON.parse(r.body ?? '{}') as { spec?: { clusterIP?: string } }).spec?.clusterIP ?? '';
      for (const end = t0 + 30_000; !(await reachesBackend(ip, 80, token));) {
        if (performance.now() > end) throw new Error(`no connection through ${ip}:80 in 30 s`);
        await sleep(20);
      }
      times.push(performance.now() - t0);
      await c.send('DELETE', `/api/v1/namespaces/${NS}/services/svc-${i}`);
    }
    const s = summarize(times);
    process.stdout.write(
      `Service create → first connection through its ClusterIP (nftables proxy, ${SERVICES} Services one by one): p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms — ${s.p99 <= 1000 ? '✓' : '✗'} target p99 ≤ 1 s\n`,
    );
  } finally {
    // the backend is a native process that outlives its agent (adoption): delete it while the agent runs
    await c.send('DELETE', `/api/v1/namespaces/${NS}/pods/backend?gracePeriodSeconds=1`).catch(() => undefined);
    for (const end = Date.now() + 30_000; Date.now() < end;) {
      const r = await c.send('GET', `/api/v1/namespaces/${NS}/pods/backend`).catch(() => undefined);
      if (!r || r.status === 404) break;
      await sleep(200);
    }
    c.close();
    if (agent) {
      agent.proc.kill('SIGINT');
      await new Promise((r) => agent!.proc.once('exit', r));
    }
    await server.stop();
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
