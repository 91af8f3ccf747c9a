// Bench phase `process` (issue 10): pod start-up through the native process runtime, POST → the watch
// shows the pod Running with its container started, 20 pods one after the other with the image
// already pulled, on `tandem agent --runtime process` joined to `tandem server`; and the agent's
// memory as it measures it itself (its stats summary's `kubelet` system container, the kubelet's own
// place for it). Run on Linux, and again with the real Windows node.exe under Wine when Wine is
// prepared (test/wine/setup.sh): the Wine figures prove the path runs and are not performance
// numbers (every socket and process operation goes through wineserver).

import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage } from '../src/agent/images/oci.js';
import { freePort, pushImage, startRegistry } from '../test/images/registry.js';
import { startWindowsNode, startWineServer, stopWineServer, wineAvailable, winPath } from '../test/wine/wine.js';
import { createClient, type Client, type Target } from './http-load.js';
import { deleteAll, ensureNamespace, startSequential, watchPods, type PodMaker } from './node-pods.js';
import { spawnUntilReady, startTandem, TANDEM } from './server-proc.js';
import { summarize, fmt, type LatencySummary } from './stats.js';

const PODS = 20;
const NS = 'bench-process';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ProcessRun {
  startup: LatencySummary;
  /** the agent's RSS by its own measure, MB: idle and with the pods running */
  rssIdle: number;
  rss20: number;
}
export type ProcessResult = {
  linux: ProcessRun | { failed: string };
  wine: ProcessRun | { skipped: string } | { failed: string };
  seconds: number;
};

const podMaker =
  (os: 'linux' | 'windows', command: string[]): PodMaker =>
  (ns, name, image) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, labels: { bench: 'process' } },
      spec: {
        os: { name: os },
        runtimeClassName: 'process',
        nodeSelector: { 'kubernetes.io/os': os },
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'main', image, imagePullPolicy: 'IfNotPresent', command }],
      },
    });

/** The agent's own RSS (MB) from its /stats/summary, asked directly with the token it was given. */
function agentRss(port: number, token: string): Promise<number> {
  return new Promise((resolve) => {
    const req = https.get(
      { host: '127.0.0.1', port, path: '/stats/summary', headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          try {
            const s = JSON.parse(body) as { node: { systemContainers?: { name: string; memory: { rssBytes: number } }[] } };
            const self = s.node.systemContainers?.find((c) => c.name === 'kubelet');
            resolve(self ? self.memory.rssBytes / 1024 / 1024 : Number.NaN);
          } catch {
            resolve(Number.NaN);
          }
        });
      },
    );
    req.on('error', () => resolve(Number.NaN));
    req.setTimeout(30_000, () => req.destroy());
  });
}

async function measure(c: Client, t: Target, image: string, make: PodMaker, port: number, token: string): Promise<ProcessRun> {
  await ensureNamespace(c, NS);
  const w = await watchPods(t, NS);
  try {
    await startSequential(c, w, NS, ['warm-up'], image, make);
    await deleteAll(c, NS, ['warm-up']);
    await sleep(2000);
    const rssIdle = await agentRss(port, token);
    const names = Array.from({ length: PODS }, (_, i) => `p-${String(i).padStart(2, '0')}`);
    const startup = summarize(await startSequential(c, w, NS, names, image, make));
    await sleep(5000);
    const rss20 = await agentRss(port, token);
    await deleteAll(c, NS, names);
    return { startup, rssIdle, rss20 };
  } finally {
    w.close();
  }
}

export async function runProcessBench(log: (s: string) => void): Promise<ProcessResult> {
  const t0 = Date.now();
  const root = mkdtempSync(join(tmpdir(), 'tandem-bench-process-'));
  const registry = await startRegistry({ dir: join(root, 'registry') });
  const host = new URL(registry.url).host;
  const crlf = (lines: string[]) => Buffer.from(lines.map((l) => `${l}\r\n`).join(''));
  await pushImage(
    registry.url,
    'bench/sleep',
    'linux',
    buildImage({ name: 'l', entries: [{ type: 'file', path: 'run.sh', mode: 0o755, data: Buffer.from('exec sleep 100000\n') }] }),
  );
  await pushImage(
    registry.url,
    'bench/sleep',
    'windows',
    buildImage({
      name: 'w',
      os: 'windows',
      osVersion: '10.0.18362.1',
      entries: [{ type: 'file', path: 'run.cmd', data: crlf(['@ping -n 100000 127.0.0.1 >nul']) }],
    }),
  );
  const serverDir = join(root, 'server');
  const server = await startTandem({ dataDir: serverDir });
  const kubeconfig = join(serverDir, 'kubeconfig');
  const c = createClient(server.target, 8);
  const token = server.target.token ?? '';
  try {
    let linux: ProcessResult['linux'];
    const port = await freePort();
    try {
      const agent = await spawnUntilReady({
        args: [
          TANDEM,
          'agent',
          '--kubeconfig',
          kubeconfig,
          '--data-dir',
          join(root, 'linux'),
          '--runtime',
          'process',
          '--node-name',
          'bench-proc-linux',
          '--streaming-port',
          String(port),
        ],
        nodeFlags: [],
        readyPattern: /node \S+ ready: joined/,
        timeoutMs: 60_000,
      });
      try {
        linux = await measure(c, server.target, `${host}/bench/sleep:linux`, podMaker('linux', ['sh', 'run.sh']), port, token);
        log(`process runtime on Linux: ${PODS} pods one by one, p50 ${fmt(linux.startup.p50)} ms, p99 ${fmt(linux.startup.p99)} ms`);
      } finally {
        agent.proc.kill('SIGINT');
        await new Promise((r) => agent.proc.once('exit', r));
      }
    } catch (e) {
      linux = { failed: e instanceof Error ? e.message : String(e) };
    }
    let wine: ProcessResult['wine'];
    const w = wineAvailable();
    if (!w.ok) wine = { skipped: w.reason };
    else {
      startWineServer();
      const wport = await freePort();
      const args = [winPath(TANDEM), 'agent', '--kubeconfig', winPath(kubeconfig), '--data-dir', winPath(join(root, 'wine'))];
      const p = startWindowsNode([...args, '--runtime', 'process', '--node-name', 'bench-proc-wine', '--streaming-port', String(wport)], {
        timeoutMs: 20 * 60_000,
      });
      try {
        await p.waitForOutput(/node \S+ ready: joined/, 120_000);
        wine = await measure(c, server.target, `${host}/bench/sleep:windows`, podMaker('windows', ['cmd', '/c', 'run.cmd']), wport, token);
        log(`process runtime under Wine: p50 ${fmt(wine.startup.p50)} ms (under Wine: not a performance number)`);
      } catch (e) {
        wine = { failed: e instanceof Error ? e.message : String(e) };
      } finally {
        await p.stop('SIGINT');
        stopWineServer();
      }
    }
    return { linux, wine, seconds: (Date.now() - t0) / 1000 };
  } finally {
    c.close();
    await server.stop();
    await registry.stop();
    if (!process.env['BENCH_KEEP']) rmSync(root, { recursive: true, force: true });
  }
}

/** The phase's lines; `containerd` is the same run's tandem up figure (one by one), when it ran. */
export function renderProcess(r: ProcessResult, containerd?: LatencySummary): string {
  const run = (x: ProcessRun) =>
    `p50 ${fmt(x.startup.p50)} ms, p99 ${fmt(x.startup.p99)} ms; agent RSS (its own measure) idle ${fmt(x.rssIdle)} MB, with ${PODS} pods ${fmt(x.rss20)} MB`;
  const lines = [`Native process runtime (issue 10): ${PODS} pods one by one, image cached, POST → Running (${fmt(r.seconds, 0)} s)`];
  lines.push(`  Linux, tandem agent --runtime process: ${'failed' in r.linux ? `failed: ${r.linux.failed}` : run(r.linux)}`);
  lines.push(
    `  Windows node.exe under Wine (under Wine: not a performance number): ${'skipped' in r.wine ? `skipped: ${r.wine.skipped}` : 'failed' in r.wine ? `failed: ${r.wine.failed}` : run(r.wine)}`,
  );
  lines.push(
    `  containerd, same run (tandem up, one by one): ${containerd ? `p50 ${fmt(containerd.p50)} ms, p99 ${fmt(containerd.p99)} ms` : 'not run'}`,
  );
  if (containerd && !('failed' in r.linux)) {
    const ok = r.linux.startup.p99 <= containerd.p99;
    lines.push(
      '',
      'Process runtime target:',
      `  ${ok ? '✓' : '✗'} start-up p99 at most containerd's: ${fmt(r.linux.startup.p99)} vs ${fmt(containerd.p99)} ms`,
    );
  }
  return `${lines.join('\n')}\n`;
}
