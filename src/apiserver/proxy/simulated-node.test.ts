// Logs, exec, attach and port-forward of pods on simulated nodes, through the real API server (with
// a node proxy configured, as `tandem up` has), a real sim fleet and the real kubectl.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../api/gen/types.js';
import { nullLogger } from '../../base/log.js';
import { runServer, type RunningServer } from '../../cli/server-command.js';
import { startSimFleet, type SimFleet } from '../../agent/sim/fleet.js';

const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
const skip = !existsSync(KUBECTL) ? 'kubectl not installed' : false;
const PODS = '/api/v1/namespaces/default/pods';

let dir = '';
let srv: RunningServer;
let fleet: SimFleet;

const env = () => ({ ...process.env, HOME: dir, KUBECONFIG: join(dir, 'data', 'kubeconfig') });
function kubectl(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(KUBECTL, args, { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const t = setTimeout(() => p.kill(), 30_000);
    p.on('close', (status) => {
      clearTimeout(t);
      resolve({ status, stdout, stderr });
    });
  });
}

async function until<T>(f: () => Promise<T | undefined>, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

function pod(name: string, runSeconds?: number): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, annotations: runSeconds === undefined ? {} : { 'tandem.io/sim-run-seconds': String(runSeconds) } },
    spec: {
      nodeName: 'simlog-0',
      restartPolicy: runSeconds === undefined ? 'Always' : 'Never',
      containers: [{ name: 'main', image: 'example.com/app:1' }],
    },
  };
}
const phaseOf = (name: string, phase: string) =>
  until(async () => {
    const p = await srv.client.getOrUndefined<Pod>(`${PODS}/${name}`);
    return p?.status?.phase === phase ? p : undefined;
  }, `${name} ${phase}`);

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'sim-streams-'));
  srv = await runServer({ dataDir: join(dir, 'data'), listen: '127.0.0.1:0', store: 'memory', controllers: [], log: nullLogger });
  // as in `tandem up`, the server can reach agents (runServer sets ctx.nodeProxy): only the simulated label stops it trying
  assert.ok(srv.api.ctx.nodeProxy);
  fleet = startSimFleet({ client: srv.client, nodes: 1, os: 'linux', namePrefix: 'simlog-', leaseRenewMs: 300, tickMs: 20 });
  await fleet.ready();
  await srv.client.request('POST', PODS, pod('web'));
  await srv.client.request('POST', PODS, pod('job', 0.2));
});

after(async () => {
  if (skip) return;
  await fleet?.stop();
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('kubectl logs of a running simulated pod: a line from its status; --timestamps, --tail, --previous', { skip }, async () => {
  const web = await phaseOf('web', 'Running');
  const started = web.status?.containerStatuses?.[0]?.state?.running?.startedAt ?? '';
  const line =
    `[simulated] container "main" (image example.com/app:1) started at ${started} on simulated node "simlog-0": ` +
    "no process runs there, these lines come from the pod's status\n";
  let r = await kubectl(['logs', 'web']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, line);
  r = await kubectl(['logs', 'web', '--timestamps']);
  assert.equal(r.stdout, `${started} ${line}`);
  assert.equal((await kubectl(['logs', 'web', '--tail=0'])).stdout, '');
  assert.equal((await kubectl(['logs', 'web', '--limit-bytes=11'])).stdout, '[simulated]');
  r = await kubectl(['logs', 'web', '--previous']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /previous terminated container "main" in pod "web" not found/);
  r = await kubectl(['get', '--raw', `${PODS}/web/log?sinceSeconds=0`]);
  assert.match(r.stderr, /sinceSeconds must be greater than 0/);
});

test('kubectl logs of a completed simulated pod shows how it ended', { skip }, async () => {
  const job = await phaseOf('job', 'Succeeded');
  const t = job.status?.containerStatuses?.[0]?.state?.terminated;
  const r = await kubectl(['logs', 'job', '--tail=1']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `[simulated] container "main" terminated at ${t?.finishedAt} with exit code 0 (Completed)\n`);
  assert.equal((await kubectl(['logs', 'job'])).stdout.split('\n').length, 3);
});

test('kubectl logs -f follows a simulated pod until its container ends', { skip }, async () => {
  await srv.client.request('POST', PODS, pod('follow', 1.5));
  await phaseOf('follow', 'Running');
  const t0 = Date.now();
  const r = await kubectl(['logs', '-f', 'follow']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 2, r.stdout);
  assert.match(lines[0] ?? '', /started at/);
  assert.match(lines[1] ?? '', /terminated at .* with exit code 0 \(Completed\)$/);
  assert.ok(Date.now() - t0 > 500, 'the stream stayed open until the pod completed');
});

test('kubectl exec, attach and port-forward say there is nothing to reach on a simulated node', { skip }, async () => {
  await phaseOf('web', 'Running');
  let r = await kubectl(['exec', 'web', '--', 'ls']);
  assert.notEqual(r.status, 0);
  assert.match(
    r.stderr,
    /pod "web" runs on simulated node "simlog-0": there is no container to exec into \(tandem sim runs no processes\)/,
  );
  r = await kubectl(['attach', 'web']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /pod "web" runs on simulated node "simlog-0": there is no container to attach to/);
  r = await kubectl(['port-forward', 'pod/web', ':8080']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /pod "web" runs on simulated node "simlog-0": there is no process listening to forward ports to/);
});
