// Logs, exec, port-forward and top through the real API server and the real kubectl, to a streaming
// server backed by a fake runtime (log files written here, a fake v4 stream server, a TCP echo pod).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { runServer, type RunningServer } from '../../cli/server-command.js';
import { generateCa, generateServingCert } from '../../pki/pki-generate.js';
import { startStreamingServer, type StreamingServer } from '../../agent/streaming/index.js';
import { createFakeStreamingRuntime, type FakeStreamingRuntime } from '../../agent/streaming/testing/fake-streaming-runtime.js';
import { createLogger, nullLogger } from '../../base/log.js';

const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
const skip = !existsSync(KUBECTL) ? 'kubectl not installed' : false;

let dir = '';
let srv: RunningServer;
let agent: StreamingServer;
let rt: FakeStreamingRuntime;
let echo: Server;
let echoPort = 0;
let logDir = '';
const agentLog: string[] = [];
const line = (t: string, msg: string, stream = 'stdout') => `${t} ${stream} F ${msg}\n`;

const env = () => ({ ...process.env, HOME: dir, KUBECONFIG: join(dir, 'data', 'kubeconfig') });
/** Runs kubectl without blocking the event loop (the API server lives in this process). */
function kubectl(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(KUBECTL, args, { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    p.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const t = setTimeout(() => p.kill(), 30_000);
    p.on('close', (status) => {
      clearTimeout(t);
      resolve({ status, stdout, stderr });
    });
  });
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'node-streams-'));
  srv = await runServer({ dataDir: join(dir, 'data'), listen: '127.0.0.1:0', store: 'memory', controllers: [], log: nullLogger });
  const ca = await generateCa('agent-ca', 1);
  const cert = await generateServingCert({ ca, hosts: ['127.0.0.1'], days: 1, commonName: 'node-1' });
  echo = createServer((c) => c.on('data', (b) => c.write(`echo:${b.toString()}`)));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as { port: number }).port;
  logDir = join(dir, 'pods', 'default_web-1_uid1');
  mkdirSync(join(logDir, 'web'), { recursive: true });
  writeFileSync(join(logDir, 'web', '0.log'), line('2026-01-01T00:00:00.100000000Z', 'old run'));
  writeFileSync(
    join(logDir, 'web', '1.log'),
    line('2026-01-01T00:00:01.000000000Z', 'first') + line('2026-01-01T00:00:02.250000000Z', 'second', 'stderr'),
  );
  rt = await createFakeStreamingRuntime({
    id: 'sb1',
    state: 'ready',
    createdAt: Date.now() * 1e6,
    ip: '127.0.0.1',
    additionalIps: [],
    name: 'web-1',
    namespace: 'default',
    uid: 'uid1',
    attempt: 0,
    labels: {},
    annotations: {},
  });
  rt.containerState.set('c1', 'running');
  rt.stats = [
    {
      id: 'c1',
      name: 'web',
      sandboxId: 'sb1',
      cpuUsageCoreNanoSeconds: 5e9,
      cpuUsageNanoCores: 7_000_000,
      memoryWorkingSetBytes: 20 * 1024 * 1024,
      memoryUsageBytes: 21 * 1024 * 1024,
      memoryRssBytes: 1,
      timestamp: Date.now() * 1e6,
    },
  ];
  const token = 'agent-secret';
  agent = await startStreamingServer({
    runtime: rt,
    listen: { host: '127.0.0.1', port: 0 },
    tls: { cert: cert.certPem, key: cert.keyPem },
    authToken: token,
    // the API server's kubelet-client certificate (from its cluster CA) is what authenticates it here
    clientCa: srv.tls.ca,
    log: createLogger({ write: (l) => agentLog.push(l), level: 'debug' }),
    nodeName: 'node-1',
    logPollMs: 50,
    podLookup: (ns, name) =>
      ns === 'default' && name === 'web-1' ? { uid: 'uid1', sandboxId: 'sb1', containers: new Map([['web', 'c1']]), logDir } : undefined,
  });
  // the agent serves with a certificate of its own CA here: the API server is told to trust it
  srv.api.ctx.nodeProxy = { ...srv.api.ctx.nodeProxy!, ca: ca.certPem };
  const c = srv.client;
  await c.request('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } });
  const node = await c.request<Record<string, unknown>>('GET', '/api/v1/nodes/node-1');
  node['status'] = {
    addresses: [
      { type: 'InternalIP', address: '127.0.0.1' },
      { type: 'Hostname', address: 'node-1' },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: agent.port } },
    capacity: { cpu: '2', memory: '4Gi', pods: '110' },
    allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z/, 'Z'),
        lastTransitionTime: new Date().toISOString().replace(/\.\d+Z/, 'Z'),
        reason: 'KubeletReady',
        message: 'ready',
      },
    ],
  };
  await c.request('PUT', '/api/v1/nodes/node-1/status', node);
  await c.request('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', labels: { app: 'web' } },
    spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'busybox' }] },
  });
  const pod = await c.request<Record<string, unknown>>('GET', '/api/v1/namespaces/default/pods/web-1');
  pod['status'] = {
    phase: 'Running',
    podIP: '127.0.0.1',
    containerStatuses: [
      {
        name: 'web',
        ready: true,
        restartCount: 1,
        image: 'busybox',
        imageID: '',
        containerID: 'containerd://c1',
        started: true,
        state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error' } },
      },
    ],
  };
  await c.request('PUT', '/api/v1/namespaces/default/pods/web-1/status', pod);
  await c.request('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'pending' },
    spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'busybox' }] },
  });
});

after(async () => {
  if (skip) return;
  await agent?.stop();
  await rt?.close();
  echo?.close();
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('kubectl logs: whole file, --tail, --timestamps, --previous, errors', { skip }, async () => {
  let r = await kubectl(['logs', 'web-1']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'first\nsecond\n');
  assert.equal((await kubectl(['logs', 'web-1', '--tail=1'])).stdout, 'second\n');
  assert.equal(
    (await kubectl(['logs', 'web-1', '--timestamps', '-c', 'web'])).stdout,
    '2026-01-01T00:00:01Z first\n2026-01-01T00:00:02.25Z second\n',
  );
  assert.equal((await kubectl(['logs', 'web-1', '--previous'])).stdout, 'old run\n');
  assert.equal((await kubectl(['logs', 'web-1', '--since-time=2026-01-01T00:00:02Z'])).stdout, 'second\n');
  assert.equal((await kubectl(['logs', 'web-1', '--limit-bytes=3'])).stdout, 'fir');
  r = await kubectl(['logs', 'pending']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /container "web" in pod "pending" is waiting to start: ContainerCreating/);
  r = await kubectl(['logs', 'web-1', '-c', 'nope']);
  assert.match(r.stderr, /container nope is not valid for pod web-1/);
});

test('kubectl logs -f follows until the container stops', { skip }, async () => {
  const p = spawn(KUBECTL, ['logs', '-f', 'web-1', '--tail=1'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  await waitFor(() => out === 'second\n', 'initial tail');
  appendFileSync(join(logDir, 'web', '1.log'), line('2026-01-01T00:00:03Z', 'third'));
  await waitFor(() => out === 'second\nthird\n', 'followed line');
  rt.containerState.set('c1', 'exited');
  try {
    assert.equal(await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 8000))]), 0);
  } finally {
    rt.containerState.set('c1', 'running');
    p.kill();
  }
});

test('kubectl exec: output, stderr and exit codes come back', { skip }, async () => {
  let r = await kubectl(['exec', 'web-1', '--', 'echo', 'hello', 'world']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'hello world\n');
  assert.deepEqual(rt.execs.at(-1), {
    id: 'c1',
    cmd: ['echo', 'hello', 'world'],
    opts: { stdin: false, stdout: true, stderr: true, tty: false },
  });
  assert.ok(agentLog.includes('debug exec pod=default/web-1 container=web protocol=v5.channel.k8s.io'), agentLog.join('\n'));
  r = await kubectl(['exec', 'web-1', '-c', 'web', '--', 'exit', '3']);
  assert.equal(r.status, 3);
  r = await kubectl(['exec', 'web-1', '--', 'err', 'oops']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /oops/);
  r = await kubectl(['exec', 'pending', '--', 'echo']);
  assert.notEqual(r.status, 0);
});

test('kubectl port-forward: a request goes through to the pod', { skip }, async () => {
  const p: ChildProcess = spawn(KUBECTL, ['port-forward', 'pod/web-1', `:${echoPort}`], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  p.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
  });
  try {
    await waitFor(() => /Forwarding from 127\.0\.0\.1:(\d+)/.test(out), `forwarding line (stderr: ${err})`, 15000);
    const local = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)![1]);
    for (const msg of ['ping', 'again']) {
      const got = await new Promise<string>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port: local }, () => s.write(msg));
        s.on('data', (b) => {
          resolve(b.toString());
          s.end();
        });
        s.on('error', reject);
        setTimeout(() => reject(new Error(`no answer; kubectl said: ${out} ${err}`)), 5000);
      });
      assert.equal(got, `echo:${msg}`);
    }
    assert.ok(agentLog.includes('debug portforward pod=default/web-1 protocol=SPDY/3.1'), agentLog.join('\n'));
  } finally {
    p.kill();
  }
});

test('kubectl top pods and nodes', { skip }, async () => {
  let r = await kubectl(['top', 'pods']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /web-1\s+7m\s+20Mi/);
  r = await kubectl(['top', 'pods', 'web-1', '--containers']);
  assert.match(r.stdout, /web-1\s+web\s+7m\s+20Mi/);
  r = await kubectl(['top', 'nodes']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /node-1\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);
  r = await kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope']);
  assert.match(r.stderr, /pods\.metrics\.k8s\.io "nope" not found/);
});

async function waitFor(cond: () => boolean, what: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('kubectl attach streams the container output', { skip }, async () => {
  const r = await kubectl(['attach', 'web-1']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /attached/);
  assert.deepEqual(rt.execs.at(-1)?.cmd, ['<attach>']);
});

test('agent: bearer token required; /metrics has per-pod and per-container figures', { skip }, async () => {
  const get = (path: string, token?: string) =>
    new Promise<{ code: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: agent.port,
          path,
          rejectUnauthorized: false,
          headers: token ? { Authorization: `Bearer ${token}` } : {},
        },
        (res) => {
          let body = '';
          res.on('data', (b: Buffer) => {
            body += b.toString();
          });
          res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  assert.equal((await get('/metrics')).code, 401);
  assert.equal((await get('/metrics', 'wrong')).code, 401);
  assert.equal((await get('/healthz')).body, 'ok');
  const m = await get('/metrics', 'agent-secret');
  assert.equal(m.code, 200);
  assert.match(m.body, /container_cpu_usage_seconds_total\{namespace="default",pod="web-1",container="web"\} 5\n/);
  assert.match(m.body, /pod_memory_working_set_bytes\{namespace="default",pod="web-1"\} 20971520\n/);
  const s = JSON.parse((await get('/stats/summary', 'agent-secret')).body) as {
    node: { nodeName: string; memory: { workingSetBytes: number } };
    pods: unknown[];
  };
  assert.equal(s.node.nodeName, 'node-1');
  assert.ok(s.node.memory.workingSetBytes > 0);
  assert.equal(s.pods.length, 1);
});

test('WebSocket port-forward (v4.channel.k8s.io, ?ports=N) as @kubernetes/client-node uses it', { skip }, async () => {
  const token = readFileSync(join(dir, 'data', 'kubeconfig'), 'utf8').match(/token: (\S+)/)?.[1] ?? '';
  const ws = new WebSocket(
    `${srv.url.replace('https', 'wss')}/api/v1/namespaces/default/pods/web-1/portforward?ports=${echoPort}`,
    ['v4.channel.k8s.io'],
    { headers: { Authorization: `Bearer ${token}` }, rejectUnauthorized: false },
  );
  const frames: Buffer[] = [];
  ws.on('message', (d: Buffer) => frames.push(d));
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  assert.equal(ws.protocol, 'v4.channel.k8s.io');
  await waitFor(() => frames.length >= 2, 'port prefixes');
  const portLE = Buffer.alloc(2);
  portLE.writeUInt16LE(echoPort);
  assert.deepEqual(frames[0], Buffer.concat([Buffer.from([0]), portLE]));
  assert.deepEqual(frames[1], Buffer.concat([Buffer.from([1]), portLE]));
  ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('wsdata')]));
  await waitFor(() => frames.length >= 3, 'echo');
  assert.equal(frames[2]!.subarray(1).toString(), 'echo:wsdata');
  assert.equal(frames[2]![0], 0);
  ws.close();
});

test('an upgrade request to a non-stream path is answered normally (no upgrade)', { skip }, async () => {
  const ws = new WebSocket(`${srv.url.replace('https', 'wss')}/version`, { rejectUnauthorized: false });
  const code = await new Promise<number>((resolve) => {
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.on('open', () => resolve(101));
    ws.on('error', () => resolve(-1));
  });
  assert.equal(code, 200);
});
