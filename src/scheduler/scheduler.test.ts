// The scheduler against the real API server in-process (memory store): 20 Linux and 10 Windows
// nodes, 90 pods bound with the right OS, and a pod too big for any node left Pending with the
// aggregated message and a FailedScheduling event.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../api/object.js';
import type { RestClient } from '../client/rest-client.js';
import { createInformerFactory, type InformerFactory } from '../client/informer-factory.js';
import { createEventRecorder } from '../client/event-recorder.js';
import type { Pod } from '../api/gen/types.js';
import { startScheduler, type Scheduler } from './scheduler.js';
import { mkNode, mkPod, type PodOpts } from './testing/fixtures.js';
import { nullLogger } from '../base/log.js';
import { defaultRegistry } from '../base/metrics.js';

import { runServer } from '../cli/server-command.js';

interface Srv {
  client: RestClient;
  stop(): Promise<void>;
}

let srv: Srv;
let dir: string;
let c: RestClient;
let informers: InformerFactory;
let sched: Scheduler;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-sched-'));
  srv = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: [] });
  c = srv.client;
  for (let i = 0; i < 20; i++) await c.request('POST', '/api/v1/nodes', readyNode(`linux-${i}`, 'linux'));
  for (let i = 0; i < 10; i++) await c.request('POST', '/api/v1/nodes', readyNode(`windows-${i}`, 'windows'));
  informers = createInformerFactory(c);
  sched = startScheduler({ client: c, informers, log: nullLogger, recorder: createEventRecorder(c, 'default-scheduler') });
  await sched.ready();
});
after(async () => {
  await sched?.stop();
  await informers?.stop();
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function readyNode(name: string, os: string): KubeObject {
  const n = mkNode(name, { labels: { 'kubernetes.io/os': os, 'kubernetes.io/arch': 'amd64' } });
  n.status = { ...n.status, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] };
  return n;
}

async function until<T>(f: () => Promise<T | undefined | false>, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const PODS = '/api/v1/namespaces/default/pods';

test('every pod is bound, Windows pods only on Windows nodes', async () => {
  for (let i = 0; i < 60; i++) await c.request('POST', PODS, mkPod(`any-${i}`, { cpu: '100m', memory: '64Mi' }));
  for (let i = 0; i < 30; i++)
    await c.request('POST', PODS, mkPod(`win-${i}`, { cpu: '100m', spec: { nodeSelector: { 'kubernetes.io/os': 'windows' } } }));
  const pods = await until(async () => {
    const l = await c.request<{ items: Pod[] }>('GET', PODS);
    const ours = l.items.filter((p) => /^(any|win)-/.test(p.metadata.name ?? ''));
    return ours.length === 90 && ours.every((p) => p.spec?.nodeName) ? ours : undefined;
  }, 'all 90 pods bound');
  for (const p of pods.filter((x) => x.metadata.name?.startsWith('win-'))) assert.match(p.spec?.nodeName ?? '', /^windows-/);
  assert.ok(sched.stats().scheduled >= 90);
  const ev = await until(async () => {
    const l = await c.request<{ items: Array<{ reason?: string; message?: string }> }>('GET', '/api/v1/namespaces/default/events');
    return l.items.find((e) => e.reason === 'Scheduled');
  }, 'a Scheduled event');
  assert.match(ev.message ?? '', /^Successfully assigned default\/(any|win)-\d+ to (linux|windows)-\d+$/);
});

test('a pod that fits nowhere gets PodScheduled=False and a FailedScheduling event', async () => {
  await c.request('POST', PODS, mkPod('huge', { cpu: '100' }));
  const cond = await until(async () => {
    const p = await c.request<Pod>('GET', `${PODS}/huge`);
    return p.status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False');
  }, 'PodScheduled=False');
  assert.equal(cond.reason, 'Unschedulable');
  assert.match(
    String(cond['message']),
    /^0\/30 nodes are available: 10 node\(s\) didn't match Pod's OS \(linux\), 20 Insufficient cpu\. preemption: /,
  );
  const ev = await until(async () => {
    const l = await c.request<{ items: Array<{ reason?: string; type?: string; message?: string; involvedObject?: { name?: string } }> }>(
      'GET',
      '/api/v1/namespaces/default/events',
    );
    return l.items.find((e) => e.reason === 'FailedScheduling' && e.involvedObject?.name === 'huge');
  }, 'a FailedScheduling event');
  assert.equal(ev.type, 'Warning');
  assert.equal((await c.request<Pod>('GET', `${PODS}/huge`)).spec?.nodeName, undefined);
  assert.ok(sched.stats().queue.unschedulable + sched.stats().queue.backoff >= 1);
});

test('a new node big enough brings the waiting pod back and it binds', async () => {
  await c.request('POST', '/api/v1/nodes', readyNode('large', 'linux'));
  await c.request(
    'PATCH',
    '/api/v1/nodes/large/status',
    { status: { capacity: { cpu: '128', memory: '512Gi', pods: '110' }, allocatable: { cpu: '128', memory: '512Gi', pods: '110' } } },
    'application/merge-patch+json',
  );
  const p = await until(
    async () => {
      const x = await c.request<Pod>('GET', `${PODS}/huge`);
      return x.spec?.nodeName ? x : undefined;
    },
    'huge pod bound after the node came',
    25_000,
  );
  assert.equal(p.spec?.nodeName, 'large');
});

test('pods go only to nodes offering their runtime handler; a node gaining it brings the pod back', async () => {
  const poolNode = async (name: string, handlers: string[]) => {
    const n = readyNode(name, 'windows') as ReturnType<typeof mkNode>;
    n.metadata.labels = { ...n.metadata.labels, pool: 'rh' };
    n.status = { ...n.status, runtimeHandlers: handlers.map((h) => ({ name: h })) };
    await c.request('POST', '/api/v1/nodes', n);
  };
  await poolNode('win-proc', ['process']);
  await poolNode('win-ctr', ['runhcs-wcow-process', '']);
  const pod = (name: string, spec: PodOpts['spec']) =>
    mkPod(name, { cpu: '10m', spec: { nodeSelector: { pool: 'rh' }, os: { name: 'windows' }, ...spec } });
  // `process` and the Windows classes exist from bootstrap
  await c.request('POST', PODS, pod('rh-native', { runtimeClassName: 'process' }));
  await c.request('POST', PODS, pod('rh-plain', {}));
  await c.request('POST', PODS, pod('rh-hyperv', { runtimeClassName: 'runhcs-wcow-hypervisor' }));
  const nodeOf = async (name: string) => (await c.request<Pod>('GET', `${PODS}/${name}`)).spec?.nodeName;
  assert.equal(await until(() => nodeOf('rh-native'), 'rh-native bound'), 'win-proc');
  assert.equal(await until(() => nodeOf('rh-plain'), 'rh-plain bound'), 'win-ctr');
  const cond = await until(async () => {
    const p = await c.request<Pod>('GET', `${PODS}/rh-hyperv`);
    return p.status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False');
  }, 'rh-hyperv unschedulable');
  assert.match(
    String(cond['message']),
    /^0\/33 nodes are available: 2 node\(s\) have no runtime for handler "runhcs-wcow-hypervisor", 31 node\(s\) didn.t match Pod.s node affinity\/selector\./,
  );
  await c.request(
    'PATCH',
    '/api/v1/nodes/win-ctr/status',
    { status: { runtimeHandlers: [{ name: 'runhcs-wcow-process' }, { name: '' }, { name: 'runhcs-wcow-hypervisor' }] } },
    'application/merge-patch+json',
  );
  assert.equal(await until(() => nodeOf('rh-hyperv'), 'rh-hyperv bound after win-ctr offered Hyper-V', 25_000), 'win-ctr');
});

test("the scheduler's metrics count attempts by result and read the queue's sizes", async () => {
  const text = await defaultRegistry.render();
  const value = (result: string, series = 'scheduler_schedule_attempts_total') =>
    Number(new RegExp(`^${series}\\{result="${result}",profile="default-scheduler"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  assert.ok(value('scheduled') >= 90, `scheduled: ${value('scheduled')}`);
  assert.ok(value('unschedulable') >= 1, `unschedulable: ${value('unschedulable')}`);
  // every counted attempt was timed
  for (const r of ['scheduled', 'unschedulable', 'error'])
    assert.equal(value(r, 'scheduler_scheduling_attempt_duration_seconds_count'), value(r));
  const queues = [...text.matchAll(/^scheduler_pending_pods\{queue="(\w+)"\} (\d+)$/gm)].map((m) => m[1]).sort();
  assert.deepEqual(queues, ['active', 'backoff', 'gated', 'unschedulable']);
});
