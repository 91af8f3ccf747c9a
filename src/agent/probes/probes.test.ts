import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../../base/testing/manual-clock.js';
import { createFakeContainerRuntime } from '../testing/fake-container-runtime.js';
import { createProbeTracker } from './probe-tracker.js';
import { createProbeManager } from './probe-manager.js';
import { runHandler } from './probe-handler.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

test('tracker thresholds', () => {
  const r = createProbeTracker('readiness', 2, 3);
  assert.equal(r.result(), false);
  assert.equal(r.observe(true), false);
  assert.equal(r.observe(true), true);
  assert.equal(r.result(), true);
  r.observe(false);
  r.observe(false);
  assert.equal(r.result(), true);
  r.observe(true);
  r.observe(false);
  r.observe(false);
  assert.equal(r.result(), true);
  assert.equal(r.observe(false), true);
  assert.equal(r.result(), false);
  const l = createProbeTracker('liveness', 1, 1);
  assert.equal(l.result(), true);
  assert.equal(l.observe(false), true);
});

test('manager: initial delay, period, startup gating, verdict changes', async () => {
  const clock = createManualClock(1_000_000);
  const outcomes: Record<string, boolean> = { startup: false, liveness: true, readiness: true };
  const runs: string[] = [];
  const changes: string[] = [];
  const rt = createFakeContainerRuntime();
  const m = createProbeManager({
    runtime: rt,
    clock,
    onChange: (uid) => changes.push(uid),
    run: async (probe) => {
      const kind = probe === c.startupProbe ? 'startup' : probe === c.livenessProbe ? 'liveness' : 'readiness';
      runs.push(`${kind}@${clock.now() - 1_000_000}`);
      return { ok: outcomes[kind] ?? false, output: '' };
    },
  });
  const c = {
    name: 'web',
    startupProbe: { exec: { command: ['s'] }, initialDelaySeconds: 5, periodSeconds: 2, failureThreshold: 30 },
    livenessProbe: { exec: { command: ['l'] }, periodSeconds: 10, failureThreshold: 2 },
    readinessProbe: { exec: { command: ['r'] }, initialDelaySeconds: 1, periodSeconds: 3 },
  };
  m.ensure('pod-1', 'cid', c, '10.0.0.1', 1_000_000);
  assert.deepEqual(m.state('cid', c), { started: false, ready: false, livenessFailed: false });
  clock.advance(4_000);
  await flush();
  assert.equal(runs.length, 0);
  clock.advance(1_000);
  await flush();
  assert.equal(runs.join(), 'startup@5000');
  outcomes['startup'] = true;
  clock.advance(2_000);
  await flush();
  assert.deepEqual(m.state('cid', c), { started: true, ready: false, livenessFailed: false });
  assert.deepEqual(changes, ['pod-1']);
  clock.advance(3_000);
  await flush();
  assert.equal(m.state('cid', c).ready, true);
  assert.ok(runs.some((r) => r.startsWith('readiness')));
  outcomes['liveness'] = false;
  clock.advance(10_000);
  await flush();
  assert.equal(m.state('cid', c).livenessFailed, false);
  clock.advance(10_000);
  await flush();
  assert.equal(m.state('cid', c).livenessFailed, true);
  m.prune('pod-1', new Set());
  const before = runs.length;
  clock.advance(60_000);
  await flush();
  assert.equal(runs.length, before);
  m.stop();
});

test('handlers: exec exit codes, httpGet status ranges and headers, tcp', async () => {
  const rt = createFakeContainerRuntime({
    images: ['busybox'],
    exec: (_c, cmd) => ({ exitCode: cmd[0] === 'ok' ? 0 : 3, stdout: Buffer.from('out'), stderr: Buffer.alloc(0) }),
  });
  const sbCfg = {
    name: 'p',
    namespace: 'n',
    uid: 'u',
    attempt: 0,
    hostname: 'p',
    logDirectory: '/tmp',
    portMappings: [],
    labels: {},
    annotations: {},
    runtimeHandler: '',
  };
  const sid = await rt.runPodSandbox(sbCfg);
  const cid = await rt.createContainer(
    sid,
    {
      name: 'c',
      attempt: 0,
      image: 'busybox',
      command: [],
      args: [],
      envs: [],
      mounts: [],
      logPath: 'c/0.log',
      labels: {},
      annotations: {},
    },
    sbCfg,
  );
  await rt.startContainer(cid);
  const t = {
    runtime: rt,
    containerId: cid,
    container: { name: 'c', ports: [{ name: 'http', containerPort: 0 }] },
    host: '127.0.0.1',
    timeoutSeconds: 1,
  };
  assert.equal((await runHandler({ exec: { command: ['ok'] } }, t)).ok, true);
  assert.equal((await runHandler({ exec: { command: ['bad'] } }, t)).ok, false);
  let seenHeader = '';
  const srv = http.createServer((req, res) => {
    seenHeader = String(req.headers['x-probe'] ?? '');
    res.statusCode = req.url === '/ok' ? 302 : 500;
    res.end('x');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  try {
    assert.equal((await runHandler({ httpGet: { path: '/ok', port, httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } }, t)).ok, true);
    assert.equal(seenHeader, 'yes');
    const bad = await runHandler({ httpGet: { path: '/bad', port } }, t);
    assert.deepEqual(bad, { ok: false, output: 'HTTP probe failed with statuscode: 500' });
    assert.equal((await runHandler({ tcpSocket: { port } }, t)).ok, true);
  } finally {
    srv.close();
  }
  const closed = await runHandler({ tcpSocket: { port: 1 } }, t);
  assert.equal(closed.ok, false);
});
