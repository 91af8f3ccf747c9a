// The isolation autopilot through the real API server (memory store): Windows nodes of builds
// 10.0.17763, 10.0.20348 (with and without Hyper-V) and 10.0.26100, a fake image facts source.
// Pods land with the isolation annotation (copied from the Binding) and the tandem.dev/Isolation
// condition; an image newer than every node stays Pending with the plain reason; a pod whose facts
// are still being read waits with WaitingForImageFacts and binds as soon as they settle; a failed
// read and a missing pull secret give a condition and an event; Linux pods are unaffected.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod, PodCondition } from '../api/gen/types.js';
import type { RestClient } from '../client/rest-client.js';
import { createInformerFactory, type InformerFactory } from '../client/informer-factory.js';
import { createEventRecorder } from '../client/event-recorder.js';
import { nullLogger } from '../base/log.js';
import { runServer } from '../cli/server-command.js';
import { startScheduler, type Scheduler } from './scheduler.js';
import { createFakeImageFacts, windowsEntries, type FakeImageFacts } from './testing/fake-image-facts.js';
import { mkNode, mkWindowsNode, mkWindowsPod } from './testing/fixtures.js';

let srv: { client: RestClient; stop(): Promise<void> };
let dir: string;
let c: RestClient;
let informers: InformerFactory;
let sched: Scheduler;
let facts: FakeImageFacts;

const ready = (n: Node): Node => {
  n.status = { ...n.status, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] };
  return n;
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-sched-win-'));
  srv = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: [] });
  c = srv.client;
  await c.request('POST', '/api/v1/nodes', ready(mkWindowsNode('w17763', '10.0.17763')));
  await c.request('POST', '/api/v1/nodes', ready(mkWindowsNode('w20348', '10.0.20348')));
  await c.request('POST', '/api/v1/nodes', ready(mkWindowsNode('w20348-hv', '10.0.20348', { hyperv: true })));
  await c.request('POST', '/api/v1/nodes', ready(mkWindowsNode('w26100', '10.0.26100')));
  await c.request('POST', '/api/v1/nodes', ready(mkNode('linux-1', { runtimeHandlers: ['runc', ''] })));
  facts = createFakeImageFacts();
  facts.known('contoso/app:2019', windowsEntries('10.0.17763.6054'), true);
  facts.known('contoso/app:2022', windowsEntries('10.0.20348.2700'), true);
  facts.known('contoso/next:1', windowsEntries('10.0.28000.1'), true);
  informers = createInformerFactory(c);
  sched = startScheduler({
    client: c,
    informers,
    log: nullLogger,
    recorder: createEventRecorder(c, 'default-scheduler'),
    imageFacts: facts,
  });
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
    await new Promise((r) => setTimeout(r, 25));
  }
}

const PODS = '/api/v1/namespaces/default/pods';
const get = (name: string) => c.request<Pod>('GET', `${PODS}/${name}`);
const bound = (name: string) => until(async () => ((await get(name)).spec?.nodeName ? get(name) : undefined), `${name} bound`);
const condition = (p: Pod, type: string) =>
  p.status?.conditions?.find((x) => x.type === type) as (PodCondition & { message?: string }) | undefined;
const notScheduled = (name: string, reason: string) =>
  until(async () => {
    const cond = condition(await get(name), 'PodScheduled');
    return cond?.status === 'False' && cond.reason === reason ? cond : undefined;
  }, `${name} PodScheduled=False ${reason}`);
interface Ev {
  reason?: string;
  type?: string;
  message?: string;
  involvedObject?: { name?: string };
}
const events = async (name: string) =>
  (await c.request<{ items: Ev[] }>('GET', '/api/v1/namespaces/default/events')).items.filter((e) => e.involvedObject?.name === name);

test('a Linux pod is unaffected: no image lookup, no isolation', async () => {
  const before = facts.peeks.length;
  const p = mkWindowsPod('linux-app', ['library/nginx:1'], { spec: { os: { name: 'linux' } } });
  await c.request('POST', PODS, p);
  const b = await bound('linux-app');
  assert.equal(b.spec?.nodeName, 'linux-1');
  assert.equal(b.metadata.annotations?.['tandem.dev/isolation'], undefined);
  assert.equal(facts.peeks.length, before);
});

test('pods land with the isolation their image needs: annotation, condition and event', async () => {
  await c.request('POST', PODS, mkWindowsPod('app-2019', ['contoso/app:2019'], { cpu: '100m' }));
  const p = await bound('app-2019');
  assert.equal(p.spec?.nodeName, 'w17763');
  assert.equal(p.metadata.annotations?.['tandem.dev/isolation'], 'process');
  const cond = await until(async () => condition(await get('app-2019'), 'tandem.dev/Isolation'), 'isolation condition');
  assert.equal(cond.status, 'True');
  assert.equal(cond.reason, 'ProcessIsolation');
  assert.equal(cond.message, "process isolation: contoso/app:2019 is built for the node's own build 10.0.17763");
  const ev = await until(async () => (await events('app-2019')).find((e) => e.reason === 'ProcessIsolation'), 'ProcessIsolation event');
  assert.equal(ev.type, 'Normal');
  assert.equal(ev.message, cond.message);

  // the same old image, kept off its own build: only the Hyper-V node runs it
  await c.request(
    'POST',
    PODS,
    mkWindowsPod('app-2019-hv', ['contoso/app:2019'], {
      cpu: '100m',
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'NotIn', values: ['w17763'] }] }],
            },
          },
        },
      },
    }),
  );
  const hv = await bound('app-2019-hv');
  assert.equal(hv.spec?.nodeName, 'w20348-hv');
  assert.equal(hv.metadata.annotations?.['tandem.dev/isolation'], 'hyperv');
  const hvCond = await until(async () => condition(await get('app-2019-hv'), 'tandem.dev/Isolation'), 'Hyper-V condition');
  assert.equal(hvCond.reason, 'HyperVIsolation');
  assert.match(
    hvCond.message ?? '',
    /^Hyper-V isolation: contoso\/app:2019 is built for Windows 10\.0\.17763 and the node runs 10\.0\.20348/,
  );

  // the legacy annotation pins Hyper-V: a WS2022 image that would run process-isolated goes to the Hyper-V node
  const legacy = mkWindowsPod('app-2022-legacy', ['contoso/app:2022'], { cpu: '100m' });
  legacy.metadata.annotations = { 'experimental.windows.kubernetes.io/isolation-type': 'hyperv' };
  await c.request('POST', PODS, legacy);
  const l = await bound('app-2022-legacy');
  assert.equal(l.spec?.nodeName, 'w20348-hv');
  assert.equal(l.metadata.annotations?.['tandem.dev/isolation'], 'hyperv');
  assert.equal(l.metadata.annotations?.['experimental.windows.kubernetes.io/isolation-type'], 'hyperv');
});

test('an image newer than every node stays Pending with the plain reason', async () => {
  await c.request('POST', PODS, mkWindowsPod('next', ['contoso/next:1']));
  const cond = await notScheduled('next', 'Unschedulable');
  assert.equal(
    cond.message,
    "0/5 nodes are available: 1 node(s) didn't match Pod's OS (windows), 4 node(s) run an older Windows build than the image. " +
      'image contoso/next:1 is built for Windows 10.0.28000; the 4 Windows nodes run 10.0.17763, 10.0.20348 and 10.0.26100 (older): ' +
      'add a node running 10.0.28000, or rebuild the image for 10.0.26100. ' +
      'preemption: 0/5 nodes are available: 1 Preemption is not helpful for scheduling, 4 No preemption victims found for incoming pod.',
  );
  const ev = await until(async () => (await events('next')).find((e) => e.reason === 'FailedScheduling'), 'FailedScheduling event');
  assert.equal(ev.message, cond.message);
});

test('a pod whose image facts are being read waits, and binds as soon as they settle', async () => {
  await c.request('POST', PODS, mkWindowsPod('slow', ['reg.example:5000/slow:1']));
  const cond = await notScheduled('slow', 'WaitingForImageFacts');
  assert.equal(cond.message, 'waiting for the platforms of image reg.example:5000/slow:1 from registry reg.example:5000');
  assert.ok(sched.stats().queue.parked >= 1);
  assert.equal((await events('slow')).filter((e) => e.reason === 'FailedScheduling').length, 0);
  const t0 = Date.now();
  facts.known('reg.example:5000/slow:1', windowsEntries('10.0.26100.1'));
  const p = await bound('slow');
  const ms = Date.now() - t0;
  assert.equal(p.spec?.nodeName, 'w26100');
  // straight back to the active queue: no backoff (1 s) and no periodic flush (60 s)
  assert.ok(ms < 1000, `bound ${ms} ms after the facts settled`);
  console.log(`# bound ${ms} ms after its image facts settled`);
  const isolation = await until(async () => condition(await get('slow'), 'tandem.dev/Isolation'), 'isolation condition');
  assert.equal(isolation.reason, 'ProcessIsolation');
});

test('a registry failure gives the Unschedulable condition and an event that name the registry and the error', async () => {
  facts.fail('reg.example:5000/gone:1', 'ImageNotFound', 'registry reg.example:5000 answered 404 Not Found for gone:1', true);
  await c.request('POST', PODS, mkWindowsPod('gone', ['reg.example:5000/gone:1']));
  const cond = await notScheduled('gone', 'Unschedulable');
  assert.match(
    cond.message ?? '',
    /^0\/5 nodes are available: the platforms of image reg\.example:5000\/gone:1 cannot be read from registry reg\.example:5000 \(ImageNotFound\)\. registry reg\.example:5000 answered 404 Not Found for gone:1\. preemption: /,
  );
  const ev = await until(async () => (await events('gone')).find((e) => e.reason === 'FailedScheduling'), 'FailedScheduling event');
  assert.equal(ev.type, 'Warning');
  assert.equal(ev.message, cond.message);
});

test('an image that needs credentials: read with the pod pull secret, and a plain reason without it', async () => {
  facts.requireAuth('reg.example:5000/private:1', 'alice');
  facts.known('reg.example:5000/private:1', windowsEntries('10.0.20348.1'), true);
  const auth = Buffer.from('alice:s3cret').toString('base64');
  await c.request('POST', '/api/v1/namespaces/default/secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'regcred' },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { 'reg.example:5000': { auth } } })).toString('base64') },
  });
  await c.request(
    'POST',
    PODS,
    mkWindowsPod('private', ['reg.example:5000/private:1'], { spec: { imagePullSecrets: [{ name: 'regcred' }] } }),
  );
  const p = await bound('private');
  assert.match(p.spec?.nodeName ?? '', /^w(20348|20348-hv|26100)$/);
  const peek = facts.peeks.filter((x) => x.image === 'reg.example:5000/private:1').pop();
  assert.equal(peek?.auth?.username, 'alice');
  assert.equal(peek?.auth?.password, 's3cret');

  await c.request('POST', PODS, mkWindowsPod('private-nosecret', ['reg.example:5000/private:1']));
  const cond = await notScheduled('private-nosecret', 'Unschedulable');
  assert.match(
    cond.message ?? '',
    /\(RegistryUnauthorized\)\. registry reg\.example:5000 answered 401 Unauthorized: it needs credentials; add an imagePullSecret for reg\.example:5000\. /,
  );
});
