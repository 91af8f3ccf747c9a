// The agent with two runtimes (a fake containerd and the real process runtime): a HostProcess pod
// without a RuntimeClass runs as host processes, and a limit the node cannot enforce is one Warning.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nullLogger } from '../../../base/log.js';
import { runServer } from '../../../cli/server-command.js';
import type { EventList, Pod } from '../../../api/gen/types.js';
import { startAgent } from '../../agent.js';
import { createFakeContainerRuntime } from '../../testing/fake-container-runtime.js';
import { createFakePlatform } from '../../testing/fake-platform.js';
import { createRuntimeRouter } from '../runtime-router.js';
import { createProcessRuntime } from './process-runtime.js';
import { createDirImageSource } from './testing/dir-image-source.js';

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test(
  'a HostProcess pod goes to the process runtime; unenforced limits are one Warning event',
  { skip: process.platform !== 'linux' },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'proc-agent-'));
    await mkdir(join(dir, 'img'));
    const server = await runServer({ dataDir: join(dir, 'server'), listen: '127.0.0.1:0', store: 'memory', log: nullLogger });
    const containerd = createFakeContainerRuntime({ images: ['busybox:1'], idPrefix: 'ctrd-' });
    const processes = createProcessRuntime({
      dataDir: join(dir, 'agent'),
      images: createDirImageSource({ 'example.com/tool:1': { dir: join(dir, 'img') } }),
      os: 'linux',
      cgroupMount: join(dir, 'no-cgroups'),
    });
    const runtime = createRuntimeRouter({ default: containerd, handlers: { process: processes } });
    const agent = startAgent({
      client: server.client,
      nodeName: 'proc-node',
      runtime,
      platform: createFakePlatform(),
      dataDir: join(dir, 'agent'),
      log: nullLogger,
      podCidr: '10.88.0.0/24',
      streamingPort: 0,
      dns: { servers: [], searches: [], options: [] },
      pollMs: 100,
      syncPeriodMs: 1000,
      statusCheckMs: 300,
      leaseRenewMs: 300,
    });
    const c = server.client;
    try {
      await agent.ready();
      const container = (name: string) => ({
        name,
        image: 'example.com/tool:1',
        command: ['/bin/sh', '-c', 'echo up; sleep 60'],
        resources: { limits: { memory: '64Mi', cpu: '500m' } },
      });
      await c.request('POST', '/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'hp' },
        spec: {
          nodeName: 'proc-node',
          hostNetwork: true,
          securityContext: { windowsOptions: { hostProcess: true } },
          containers: [container('a'), container('b')],
        },
      });
      const pod = await until('Running', async () => {
        const p = await c.getOrUndefined<Pod>('/api/v1/namespaces/default/pods/hp');
        return p?.status?.phase === 'Running' && p.status.containerStatuses?.every((s) => s.state?.running) && p;
      });
      const ids = new Set((await processes.listContainers()).map((x) => x.id));
      for (const s of pod.status?.containerStatuses ?? [])
        assert.ok(ids.has((s.containerID ?? '').replace(/^\w+:\/\//, '')), s.containerID);
      assert.equal(containerd.sandboxes.size, 0, 'nothing went to containerd');
      assert.equal((await processes.listPodSandboxes()).length, 1);
      const warnings = await until('the Warning', async () => {
        const l = await c.request<EventList>('GET', '/api/v1/namespaces/default/events');
        const w = l.items.filter((e) => e.involvedObject.name === 'hp' && e.reason === 'ResourceLimitsNotEnforced');
        return w.length > 0 && w;
      });
      assert.equal(warnings.length, 1, 'once per pod, not per container');
      assert.equal(warnings[0]?.type, 'Warning');
      assert.match(warnings[0]?.message ?? '', /not enforced on this linux node: there is no cgroup file system/);

      await c.request('DELETE', '/api/v1/namespaces/default/pods/hp?gracePeriodSeconds=1');
      await until('deleted', async () => (await c.getOrUndefined<Pod>('/api/v1/namespaces/default/pods/hp')) === undefined);
      assert.deepEqual(await processes.listContainers(), []);
    } finally {
      await agent.stop();
      await runtime.close();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
