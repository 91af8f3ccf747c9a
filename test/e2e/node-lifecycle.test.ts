// E2E (issue 4): container life cycle on `tandem up` with a real containerd, through the real kubectl:
// CrashLoopBackOff with back-off, liveness restarts, readiness in Endpoints, OOMKilled, SIGTERM and
// grace periods on delete, and slow deletions that must not hold up new pods. Every workload is
// applied up front (crash loops, probes and OOM kills need wall time). Skipped with a message when
// the host cannot run pods.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at } from './kubectl-support.js';
import { createNodeSession, isRunning, nodeE2eSkip, sleep, statusOf, until, type Obj } from './node-session.js';

const NS = 'node-life';
const ses = createNodeSession(NS);
let markerDir = '';

function manifests(image: string): Obj[] {
  const c = (name: string, script: string, extra: Obj = {}): Obj => ({ name, image, command: ['sh', '-c', script], ...extra });
  const podOf = (name: string, spec: Obj, labels: Record<string, string> = {}): Obj => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { test: name, ...labels } },
    spec,
  });
  return [
    podOf('crash', { restartPolicy: 'Always', containers: [c('crash', 'echo "boom $(date +%s)"; exit 2')] }),
    podOf('live', {
      terminationGracePeriodSeconds: 1,
      containers: [
        c('live', 'touch /tmp/healthy; sleep 3; rm /tmp/healthy; sleep 3600', {
          livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 1 },
        }),
      ],
    }),
    podOf(
      'ready',
      {
        terminationGracePeriodSeconds: 1,
        containers: [
          c('ready', 'mkdir -p /tmp/www && echo ok > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www', {
            ports: [{ containerPort: 8080 }],
            readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 },
          }),
        ],
      },
      { svc: 'ready' },
    ),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ready', namespace: NS },
      spec: { selector: { svc: 'ready' }, ports: [{ port: 80, targetPort: 8080 }] },
    },
    podOf('oom', {
      restartPolicy: 'Always',
      containers: [c('oom', 'sleep 1; exec dd if=/dev/zero of=/dev/null bs=64M count=1', { resources: { limits: { memory: '16Mi' } } })],
    }),
    podOf('graceful', {
      terminationGracePeriodSeconds: 30,
      containers: [
        c(
          'main',
          'trap \'echo "got TERM"; echo "got TERM" > /marker/term; sleep 2; echo done > /marker/done; exit 0\' TERM; echo started; while true; do sleep 0.2; done',
          {
            volumeMounts: [{ name: 'marker', mountPath: '/marker' }],
          },
        ),
      ],
      volumes: [{ name: 'marker', hostPath: { path: markerDir, type: 'Directory' } }],
    }),
    podOf('stubborn', {
      terminationGracePeriodSeconds: 3,
      containers: [c('main', 'trap "" TERM; echo started; while true; do sleep 0.2; done')],
    }),
  ];
}

describe('node: container life cycle on real containerd', { skip: nodeE2eSkip() }, () => {
  before(async () => {
    markerDir = mkdtempSync(join(tmpdir(), 'tandem-marker-'));
    await ses.start();
    ses.apply(manifests(ses.images().images.busybox));
  });

  after(async () => {
    await ses.stop();
    if (markerDir) rmSync(markerDir, { recursive: true, force: true });
  });

  test('a container exiting non-zero restarts with back-off and shows CrashLoopBackOff', async () => {
    const p = await until(
      'crash in CrashLoopBackOff with 2+ restarts',
      () => {
        const s = statusOf(ses.pod('crash'), 'crash');
        return s && Number(s['restartCount']) >= 2 && at(s, 'state', 'waiting', 'reason') === 'CrashLoopBackOff'
          ? ses.pod('crash')
          : undefined;
      },
      45_000,
      500,
    );
    const s = statusOf(p, 'crash')!;
    assert.equal(at(s, 'lastState', 'terminated', 'exitCode'), 2);
    assert.equal(at(s, 'lastState', 'terminated', 'reason'), 'Error');
    assert.match(String(at(s, 'state', 'waiting', 'message')), /back-off/i);
    assert.equal(at(p, 'status', 'phase'), 'Running');
    // back-off: 10 s after the second exit, so the count cannot race ahead
    const count = Number(s['restartCount']);
    await sleep(3000);
    assert.ok(Number(statusOf(ses.pod('crash'), 'crash')?.['restartCount']) <= count + 1, 'restarts are spaced by the back-off');
    const prev = ses.ok(['logs', '-n', NS, 'crash', '--previous']).stdout;
    assert.match(prev, /^boom \d+$/m);
    const table = ses.ok(['get', 'pod', 'crash', '-n', NS]).stdout;
    assert.match(table, /CrashLoopBackOff|Error|Running/);
  });

  test('a failing liveness probe restarts its container', async () => {
    const s = await until(
      'live restarted',
      () => {
        const st = statusOf(ses.pod('live'), 'live');
        return st && Number(st['restartCount']) >= 1 && at(st, 'lastState', 'terminated') !== undefined ? st : undefined;
      },
      45_000,
      500,
    );
    assert.ok(Number(at(s, 'lastState', 'terminated', 'exitCode')) !== 0, 'the killed container did not exit 0');
  });

  test('readiness decides membership in Endpoints', async () => {
    const p = await until(
      'ready Running',
      () => {
        const x = ses.pod('ready');
        return isRunning(x) ? x : undefined;
      },
      30_000,
    );
    const ip = String(at(p, 'status', 'podIP'));
    assert.equal(statusOf(p, 'ready')?.['ready'], false);
    const ep = await until(
      'ready in notReadyAddresses',
      () => {
        const e = ses.getJson(['get', 'endpoints', 'ready']);
        const subsets = (e['subsets'] as Obj[] | undefined) ?? [];
        return subsets.some((s) => ((s['notReadyAddresses'] as Obj[] | undefined) ?? []).some((a) => a['ip'] === ip)) ? e : undefined;
      },
      20_000,
    );
    assert.ok(!JSON.stringify(at(ep, 'subsets')).includes('"addresses"'), 'no ready addresses yet');
    ses.ok(['exec', '-n', NS, 'ready', '--', 'touch', '/tmp/ready']);
    await until(
      'ready in addresses',
      () => {
        const e = ses.getJson(['get', 'endpoints', 'ready']);
        const subsets = (e['subsets'] as Obj[] | undefined) ?? [];
        return subsets.some((s) => ((s['addresses'] as Obj[] | undefined) ?? []).some((a) => a['ip'] === ip)) || undefined;
      },
      20_000,
    );
    const after = ses.pod('ready');
    assert.equal(statusOf(after, 'ready')?.['ready'], true);
    const cond = ((at(after, 'status', 'conditions') as Obj[] | undefined) ?? []).find((c) => c['type'] === 'Ready');
    assert.equal(cond?.['status'], 'True');
    // and out again when the probe fails
    ses.ok(['exec', '-n', NS, 'ready', '--', 'rm', '/tmp/ready']);
    await until(
      'ready back in notReadyAddresses',
      () => {
        const e = ses.getJson(['get', 'endpoints', 'ready']);
        const subsets = (e['subsets'] as Obj[] | undefined) ?? [];
        return subsets.some((s) => ((s['notReadyAddresses'] as Obj[] | undefined) ?? []).some((a) => a['ip'] === ip)) || undefined;
      },
      20_000,
    );
  });

  test('exceeding a memory limit shows OOMKilled in lastState', async () => {
    const s = await until(
      'oom killed once',
      () => {
        const st = statusOf(ses.pod('oom'), 'oom');
        return st && at(st, 'lastState', 'terminated', 'reason') === 'OOMKilled' ? st : undefined;
      },
      45_000,
      500,
    );
    assert.equal(at(s, 'lastState', 'terminated', 'exitCode'), 137);
    assert.ok(Number(s['restartCount']) >= 1);
  });

  test('kubectl delete pod sends SIGTERM and honours the grace period', async () => {
    await until('graceful and stubborn Running', () => isRunning(ses.pod('graceful')) && isRunning(ses.pod('stubborn')), 30_000);
    await until('graceful trapped TERM', () => /started/.test(ses.k(['logs', '-n', NS, 'graceful']).stdout), 10_000);
    let t0 = performance.now();
    ses.ok(['delete', 'pod', 'graceful', '-n', NS], { timeoutMs: 60_000 });
    const gracefulMs = performance.now() - t0;
    assert.equal(readFileSync(join(markerDir, 'term'), 'utf8'), 'got TERM\n', 'the container got SIGTERM');
    assert.ok(existsSync(join(markerDir, 'done')), 'the trap ran to its end before the container was removed');
    assert.ok(
      gracefulMs >= 1800 && gracefulMs < 15_000,
      `delete took about the trap's 2 s (well under the 30 s grace): ${Math.round(gracefulMs)} ms`,
    );

    t0 = performance.now();
    ses.ok(['delete', 'pod', 'stubborn', '-n', NS], { timeoutMs: 60_000 });
    const stubbornMs = performance.now() - t0;
    assert.ok(
      stubbornMs >= 2800 && stubbornMs < 12_000,
      `a container ignoring TERM is killed after its 3 s grace period: ${Math.round(stubbornMs)} ms`,
    );
    assert.equal(ses.k(['get', 'pod', 'stubborn', '-n', NS]).code, 1);
  });

  test('pods being deleted with a long grace period do not hold up new pods', async () => {
    const image = ses.images().images.busybox;
    const sticky = Array.from({ length: 5 }, (_, i) => `sticky-${i}`);
    const podOf = (name: string, script: string, grace: number): Obj => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS },
      spec: { terminationGracePeriodSeconds: grace, containers: [{ name: 'main', image, command: ['sh', '-c', script] }] },
    });
    ses.apply(sticky.map((n) => podOf(n, 'trap "" TERM; while true; do sleep 0.2; done', 12)));
    await until('sticky pods Running', () => sticky.every((n) => isRunning(ses.pod(n))), 30_000);
    const t0 = performance.now();
    ses.ok(['delete', 'pods', ...sticky, '-n', NS, '--wait=false']);
    await sleep(1000); // the agent is now waiting out five 12 s grace periods
    ses.apply([podOf('fresh', 'sleep 3600', 1)]);
    await until('fresh Running', () => isRunning(ses.pod('fresh')), 30_000, 200);
    const freshMs = performance.now() - t0;
    assert.ok(freshMs < 8000, `a new pod started ${Math.round(freshMs)} ms after the deletions began, not after their grace periods`);
    assert.ok(
      sticky.every((n) => ses.k(['get', 'pod', n, '-n', NS]).code === 0),
      'the sticky pods are still terminating',
    );
    await until('sticky pods gone', () => sticky.every((n) => ses.k(['get', 'pod', n, '-n', NS]).code === 1), 30_000, 500);
    const goneMs = performance.now() - t0;
    assert.ok(goneMs >= 11_000, `the 12 s grace period was honoured: ${Math.round(goneMs)} ms`);
    ses.ok(['delete', 'pod', 'fresh', '-n', NS, '--grace-period=1']);
  });
});
