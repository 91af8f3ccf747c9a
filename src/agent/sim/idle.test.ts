// An idle cluster writes only heartbeats: a `tandem server` with every control loop (node lifecycle,
// scheduler, ...) and a sim fleet whose pods run; once they run, the only writes are Lease renewals,
// one per node per renewal period: no Node and no Pod is rewritten when nothing changed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../api/gen/types.js';
import { nullLogger } from '../../base/log.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { createInformerFactory, type InformerFactory } from '../../client/informer-factory.js';
import { runServer, type RunningServer } from '../../cli/server-command.js';
import { startSimFleet, type SimFleet } from './fleet.js';

let srv: RunningServer;
let dir: string;
let informers: InformerFactory;
let fleet: SimFleet;
const NODES = 6;
const RENEW_MS = 250;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-sim-idle-'));
  srv = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger });
  informers = createInformerFactory(srv.client);
  fleet = startSimFleet({
    client: srv.client,
    informers,
    nodes: NODES,
    os: 'linux',
    leaseRenewMs: RENEW_MS,
    tickMs: 20,
    namePrefix: 'idle-',
  });
  await fleet.ready();
});
after(async () => {
  await fleet?.stop();
  await informers?.stop();
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('once pods run, only Leases are written', async () => {
  const c = srv.client;
  for (let i = 0; i < 12; i++) {
    const p: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `idle-${i}`, namespace: 'default' },
      spec: { containers: [{ name: 'main', image: 'example.com/app:1' }] },
    };
    await c.resource(podKind).namespace('default').create(p);
  }
  const running = () =>
    c
      .request<{ items: Pod[] }>('GET', '/api/v1/namespaces/default/pods')
      .then((l) =>
        l.items.filter((p) => p.status?.phase === 'Running' && p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')),
      );
  const end = Date.now() + 20_000;
  while ((await running()).length < 12) {
    if (Date.now() > end) throw new Error('pods did not all run');
    await new Promise((r) => setTimeout(r, 50));
  }
  // let the last status writes' consequences settle, then count every write for a while
  await new Promise((r) => setTimeout(r, 1000));
  const counts = new Map<string, number>();
  const watches = ['/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', '/api/v1/nodes', '/api/v1/pods'].map(async (path) => {
    const list = await c.request<{ metadata: { resourceVersion: string } }>('GET', path);
    return c.watch(`${path}?watch=true&resourceVersion=${list.metadata.resourceVersion}`, (ev) => {
      const k = `${path.split('/').at(-1) ?? ''} ${ev.type}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    });
  });
  const open = await Promise.all(watches);
  const windowMs = 3000;
  await new Promise((r) => setTimeout(r, windowMs));
  for (const w of open) w.stop();
  const leases = counts.get('leases MODIFIED') ?? 0;
  counts.delete('leases MODIFIED');
  assert.deepEqual(Object.fromEntries(counts), {}, 'no Node or Pod writes in an idle cluster');
  // each node renews about windowMs / RENEW_MS times (a loaded machine may lag)
  const expected = (NODES * windowMs) / RENEW_MS;
  assert.ok(leases >= expected * 0.5 && leases <= expected * 1.2, `${leases} lease renewals, about ${expected} expected`);
});
