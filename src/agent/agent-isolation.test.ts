// The agent's isolation wiring end to end against the real API server: an agent on a (fake)
// Windows 20348 host with Hyper-V, given an image facts source, runs a pod bound with
// tandem.dev/isolation: hyperv under runhcs-wcow-hypervisor and pulls the image's own 17763 entry
// by digest, reading this node's build and Hyper-V from the Node it registered.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventList, Pod } from '../api/gen/types.js';
import { nullLogger } from '../base/log.js';
import { runServer } from '../cli/server-command.js';
import { startAgent } from './agent.js';
import { createFakeContainerRuntime } from './testing/fake-container-runtime.js';
import { createFakeImageFacts } from './testing/fake-image-facts.js';
import { createFakePlatform } from './testing/fake-platform.js';

const NODE = 'win-agent-1';
const dg = (c: string) => `sha256:${c.repeat(64)}`;

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a Hyper-V pod on a Windows agent pulls its image entry by digest', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'agent-iso-'));
  const server = await runServer({ dataDir: join(dir, 'server'), listen: '127.0.0.1:0', store: 'memory', log: nullLogger });
  const runtime = createFakeContainerRuntime({
    handlers: [{ name: 'runhcs-wcow-process' }, { name: '' }, { name: 'runhcs-wcow-hypervisor' }],
  });
  const facts = createFakeImageFacts({
    'localhost:5000/old:1': {
      digest: dg('b'),
      platforms: [{ os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.5830', digest: dg('4') }],
    },
  });
  const agent = startAgent({
    client: server.client,
    nodeName: NODE,
    runtime,
    platform: createFakePlatform({
      os: 'windows',
      windowsBuild: '10.0.20348',
      kernelVersion: '10.0.20348.2700',
      osImage: 'Windows Server 2022 Datacenter',
    }),
    dataDir: join(dir, 'agent'),
    log: nullLogger,
    dns: { servers: ['192.0.2.53'], searches: [], options: [] },
    pollMs: 100,
    syncPeriodMs: 1000,
    imageFacts: facts,
  });
  const c = server.client;
  try {
    await agent.ready();
    await c.request('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'legacy-app', annotations: { 'tandem.dev/isolation': 'hyperv' } },
      spec: { nodeName: NODE, os: { name: 'windows' }, containers: [{ name: 'app', image: 'localhost:5000/old:1' }] },
    });
    const p = await until('pod running', async () => {
      const x = await c.getOrUndefined<Pod>('/api/v1/namespaces/default/pods/legacy-app');
      return x?.status?.phase === 'Running' && x;
    });
    assert.deepEqual(
      [...runtime.sandboxes.values()].map((s) => s.cfg.runtimeHandler),
      ['runhcs-wcow-hypervisor'],
    );
    assert.deepEqual(
      runtime.pulls.map((x) => x.image),
      [`localhost:5000/old@${dg('4')}`],
    );
    assert.equal(p.status?.containerStatuses?.[0]?.image, 'localhost:5000/old:1');
    const events = await until('the ImagePlatform event', async () => {
      const l = await c.request<EventList>('GET', '/api/v1/namespaces/default/events?fieldSelector=reason%3DImagePlatform');
      return l.items.length > 0 && l.items;
    });
    assert.match(
      events[0]?.message ?? '',
      /this Windows 10\.0\.20348 node runs its windows\/amd64 10\.0\.17763\.5830 entry with Hyper-V isolation \(annotation tandem\.dev\/isolation: hyperv\)/,
    );
  } finally {
    await agent.stop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
