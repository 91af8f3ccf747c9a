// The node agent's heartbeats against a real API server (in-process, memory store): the Lease is
// renewed with one PUT (no read before it), read again only after someone else wrote it; an unchanged
// status is not written at the 10 s checks, only at the report interval or when it changed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nullLogger } from '../../base/log.js';
import { createManualClock } from '../../base/testing/manual-clock.js';
import { createResourceClient } from '../../client/resource.js';
import type { RestClient } from '../../client/rest-client.js';
import { runServer, type RunningServer } from '../../cli/server-command.js';
import { createFakePlatform } from '../testing/fake-platform.js';
import { createFakeContainerRuntime } from '../testing/fake-container-runtime.js';
import { createNodeAgent } from './node-agent.js';
import { nodeLeases } from './node-lease.js';

let srv: RunningServer;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-node-agent-'));
  srv = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger });
});
after(async () => {
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The server's client, with every request it makes counted as "METHOD resource". */
function counting(c: RestClient) {
  const calls: string[] = [];
  const client: RestClient = {
    ...c,
    resource: ((k: never) => createResourceClient(client, k)) as RestClient['resource'],
    request: (method, path, ...rest) => {
      calls.push(`${method} ${path.includes('/leases') ? 'lease' : path.endsWith('/status') ? 'status' : 'node'}`);
      return c.request(method, path, ...rest);
    },
    getOrUndefined: (path) => {
      calls.push(`GET ${path.includes('/leases') ? 'lease' : 'node'}`);
      return c.getOrUndefined(path);
    },
  };
  return { client, calls };
}

test('lease renewals are one PUT each; an unchanged status waits for the report interval', async () => {
  const clock = createManualClock(Date.parse('2026-12-07T10:00:00Z'));
  const { client, calls } = counting(srv.client);
  const platform = createFakePlatform();
  const agent = createNodeAgent({
    client,
    runtime: createFakeContainerRuntime(),
    platform,
    clock,
    nodeName: 'agent-hb',
    kubeletPort: 10250,
    log: nullLogger,
    statusForceMs: 60_000,
  });
  await agent.register();
  calls.length = 0;

  for (let i = 0; i < 5; i++) await agent.renewLease();
  assert.deepEqual(calls, Array(5).fill('PUT lease'));

  // another writer: the next renewal conflicts, reads the Lease once, and writes again
  const leases = nodeLeases(srv.client);
  const cur = await leases.get('agent-hb');
  await leases.update({ ...cur, spec: { ...cur.spec, leaseDurationSeconds: 39 } });
  calls.length = 0;
  await agent.renewLease();
  assert.deepEqual(calls, ['PUT lease', 'GET lease', 'PUT lease']);
  calls.length = 0;
  await agent.renewLease();
  assert.deepEqual(calls, ['PUT lease']);

  // status: unchanged at the checks → nothing written until the report interval
  calls.length = 0;
  assert.equal(await agent.syncStatus(), false);
  clock.advance(10_000);
  assert.equal(await agent.syncStatus(), false);
  assert.deepEqual(calls, []);
  // a change is written at once; the report after a change comes 1/2..3/2 of the interval later
  platform.pressureNow = { memory: true, disk: false, pid: false };
  assert.equal(await agent.syncStatus(), true);
  clock.advance(29_000);
  assert.equal(await agent.syncStatus(), false, 'no report before half the interval');
  clock.advance(62_000);
  assert.equal(await agent.syncStatus(), true, 'a report by 3/2 of the interval');
  // unchanged reports then come exactly every interval
  clock.advance(59_000);
  assert.equal(await agent.syncStatus(), false);
  clock.advance(1000);
  assert.equal(await agent.syncStatus(), true);
  assert.equal(calls.filter((c) => c === 'PATCH status').length, 3);
});
