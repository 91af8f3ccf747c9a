// Preemption end to end inside one process: the real API server (with the Priority admission
// plugin), the scheduler, two PriorityClasses. A full node's low-priority pods make room for a
// high-priority pod: it is nominated to the node, the victims get DisruptionTarget and a Preempted
// event and are deleted, and once they are gone the pod is bound there. A pod with
// preemptionPolicy Never, and a pod with nothing lower to remove, only get upstream's message.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RestClient } from '../../../client/rest-client.js';
import { createInformerFactory, type InformerFactory } from '../../../client/informer-factory.js';
import { createEventRecorder } from '../../../client/event-recorder.js';
import type { Event, Pod } from '../../../api/gen/types.js';
import { startScheduler, type Scheduler } from '../../scheduler.js';
import { mkNode, mkPod } from '../../testing/fixtures.js';
import { nullLogger } from '../../../base/log.js';
import { runServer } from '../../../cli/server-command.js';

const PODS = '/api/v1/namespaces/default/pods';
let srv: { client: RestClient; stop(): Promise<void> };
let dir: string;
let c: RestClient;
let informers: InformerFactory;
let sched: Scheduler;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-preempt-'));
  srv = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: [] });
  c = srv.client;
  const n = mkNode('small', { cpu: '2' });
  n.status = { ...n.status, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] };
  await c.request('POST', '/api/v1/nodes', n);
  for (const [name, value, policy] of [
    ['low', 10, 'PreemptLowerPriority'],
    ['high', 1000, 'PreemptLowerPriority'],
    ['polite', 1000, 'Never'],
  ] as const) {
    await c.request('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name },
      value,
      preemptionPolicy: policy,
    });
  }
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

async function until<T>(f: () => Promise<T | undefined | false>, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const get = (name: string) => c.request<Pod>('GET', `${PODS}/${name}`);
const pendingMessage = (name: string) =>
  until(async () => {
    const cond = (await get(name)).status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False');
    return cond ? String(cond['message']) : undefined;
  }, `${name} unschedulable`);

test('a high-priority pod preempts the low-priority pods of a full node', async () => {
  for (const n of ['low-a', 'low-b']) await c.request('POST', PODS, mkPod(n, { cpu: '1', spec: { priorityClassName: 'low' } }));
  await until(async () => (await get('low-a')).spec?.nodeName && (await get('low-b')).spec?.nodeName, 'low pods bound');

  // equal priority cannot preempt: nothing lower on the node
  await c.request('POST', PODS, mkPod('peer', { cpu: '1', spec: { priorityClassName: 'low' } }));
  assert.equal(
    await pendingMessage('peer'),
    '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
  );
  await c.request('POST', PODS, mkPod('polite', { cpu: '1', spec: { priorityClassName: 'polite' } }));
  assert.equal(
    await pendingMessage('polite'),
    '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
  );

  await c.request('POST', PODS, mkPod('vip', { cpu: '2', spec: { priorityClassName: 'high' } }));
  const nominated = await until(async () => (await get('vip')).status?.nominatedNodeName, 'vip nominated');
  assert.equal(nominated, 'small');
  const victims = await until(async () => {
    const l = [await get('low-a'), await get('low-b')];
    return l.every((p) => p.metadata.deletionTimestamp) ? l : undefined;
  }, 'victims terminating');
  for (const v of victims) {
    const cond = v.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
    assert.equal(cond?.reason, 'PreemptionByScheduler');
    assert.equal(cond?.message, 'default-scheduler: preempting to accommodate a higher priority pod');
  }
  const ev = await until(async () => {
    const l = await c.request<{ items: Event[] }>('GET', '/api/v1/namespaces/default/events');
    return l.items.find((e) => e.reason === 'Preempted' && e.involvedObject.name === 'low-a');
  }, 'Preempted event');
  assert.match(ev.message ?? '', /^Preempted by pod .+ on node small$/);
  // no kubelet here: finish the victims' graceful deletion as one would
  assert.equal((await get('vip')).spec?.nodeName, undefined, 'not bound while the victims still hold the node');
  for (const n of ['low-a', 'low-b']) await c.request('DELETE', `${PODS}/${n}?gracePeriodSeconds=0`);
  const bound = await until(async () => (await get('vip')).spec?.nodeName, 'vip bound');
  assert.equal(bound, 'small');
  // the lower-priority pods waiting with it are still pending
  assert.equal((await get('peer')).spec?.nodeName, undefined);
});
