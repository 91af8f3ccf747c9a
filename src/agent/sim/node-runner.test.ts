// The simulated nodes' steady-state writes, on a manual clock against a recording API: one Lease PUT
// per node per renewal period and nothing else, and the Node status only at registration and then
// once per report interval, the first report after registration spread over [1/2, 3/2] of it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyObject } from '../../api/object.js';
import { StatusError } from '../../base/errors.js';
import { createManualClock } from '../../base/testing/manual-clock.js';
import { createResourceClient } from '../../client/resource.js';
import type { RestClient } from '../../client/rest-client.js';
import { createNodeRunner } from './node-runner.js';
import { resolveSimOptions } from './options.js';
import { createSimNode } from './sim-node.js';

interface Call {
  at: number;
  method: string;
  path: string;
}

/** Answers node and lease writes as the server would (new uid and resourceVersion), and records them. */
function recordingApi(now: () => number) {
  const calls: Call[] = [];
  let rv = 1;
  const client: RestClient = {
    resource: (k: never) => createResourceClient(client, k),
    request<T>(method: string, path: string, body?: unknown): Promise<T> {
      calls.push({ at: now(), method, path });
      if (method === 'GET') return Promise.reject(new StatusError(404, 'NotFound', `${path} not found`));
      const obj = (body ?? {}) as AnyObject;
      const name =
        path
          .split('?')[0]
          ?.split('/')
          .filter(Boolean)
          .at(path.includes('/status') ? -2 : -1) ?? '';
      const metadata = { ...obj.metadata, name: obj.metadata?.name ?? name, uid: `uid-${name}`, resourceVersion: String(++rv) };
      return Promise.resolve({ ...obj, metadata } as T);
    },
    getOrUndefined: () => Promise.resolve(undefined),
    watch: () => ({ stop() {}, done: Promise.resolve() }),
    close() {},
  } as unknown as RestClient;
  return { client, calls };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

test('steady state: a Lease PUT per node per period; Node status once per report interval, spread', async () => {
  const clock = createManualClock(1_000_000);
  const api = recordingApi(() => clock.now());
  const nodeCount = 40;
  const cfg = resolveSimOptions({
    client: api.client,
    nodes: nodeCount,
    os: 'linux',
    clock,
    leaseRenewMs: 1000,
    statusRefreshMs: 20_000,
    tickMs: 100,
  });
  const nodes = Array.from({ length: nodeCount }, (_, i) =>
    createSimNode(`n${i}`, i, undefined, `10.128.${i}.0/24`, `10.64.0.${i + 1}`, clock.now()),
  );
  const runner = createNodeRunner(cfg, nodes, 'seed');
  runner.startHeartbeats();
  await runner.registerAll();
  const registeredAt = clock.now();
  const seconds = 80;
  for (let t = 0; t < seconds * 10; t++) {
    clock.advance(100);
    await flush();
  }
  await runner.stop();

  const leasePuts = api.calls.filter((c) => c.method === 'PUT' && c.path.includes('/leases/'));
  const statusPatches = api.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith('/status'));
  // no reads in the steady state: the Lease is renewed from the version last written
  assert.equal(api.calls.filter((c) => c.method === 'GET').length, 0);
  assert.ok(
    leasePuts.length >= nodeCount * (seconds - 1) && leasePuts.length <= nodeCount * (seconds + 1),
    `${leasePuts.length} lease PUTs`,
  );

  const byNode = new Map<string, number[]>();
  for (const c of statusPatches) {
    const name = c.path.split('/').at(-2) ?? '';
    byNode.set(name, [...(byNode.get(name) ?? []), c.at - registeredAt]);
  }
  assert.equal(byNode.size, nodeCount, 'every node reported its status');
  const firstReports: number[] = [];
  for (const [name, all] of byNode) {
    // the status goes with the created Node; then the first report 10..30 s later (20 s ± half, checked on
    // the 1 s lease beat), then every 20 s
    const times = all.filter((t) => t > 0);
    const first = times[0];
    assert.ok(first !== undefined && first >= 10_000 && first <= 31_000, `${name}: first report at ${first} ms`);
    firstReports.push(first);
    for (let k = 1; k < times.length; k++) {
      const gap = (times[k] ?? 0) - (times[k - 1] ?? 0);
      assert.ok(gap >= 20_000 && gap <= 21_000, `${name}: unchanged status rewritten after ${gap} ms`);
    }
    assert.ok(times.length <= Math.ceil(seconds / 10), `${name}: ${times.length} status writes in ${seconds} s`);
  }
  // a fleet registered at once does not report all at once: the first reports spread over the window
  const seconds1 = new Set(firstReports.map((ms) => Math.floor(ms / 1000)));
  assert.ok(seconds1.size >= 8, `first reports fell in only ${seconds1.size} distinct seconds`);
});

test('a node marked not Ready by someone else while alive writes its status again at once', async () => {
  const clock = createManualClock(5_000_000);
  const api = recordingApi(() => clock.now());
  const cfg = resolveSimOptions({
    client: api.client,
    nodes: 1,
    os: 'linux',
    clock,
    leaseRenewMs: 1000,
    statusRefreshMs: 300_000,
    tickMs: 100,
  });
  const node = createSimNode('n0', 0, undefined, '10.128.0.0/24', '10.64.0.1', clock.now());
  const runner = createNodeRunner(cfg, [node], 'seed');
  runner.startHeartbeats();
  await runner.registerAll();
  clock.advance(5000);
  await flush();
  const before = api.calls.filter((c) => c.method === 'PATCH').length;
  runner.onNodeEvent({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n0', uid: 'uid-n0' },
    status: { conditions: [{ type: 'Ready', status: 'Unknown' }] },
  });
  await flush();
  await flush();
  assert.equal(api.calls.filter((c) => c.method === 'PATCH').length, before + 1);
  await runner.stop();
});
