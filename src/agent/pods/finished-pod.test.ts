// What the agent keeps of a pod that finished: its stopped sandbox, exited container and log files
// stay while the pod object exists (so its logs can be read, as from the kubelet), and go with the pod.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../api/gen/types.js';
import { nullLogger } from '../../base/log.js';
import { runServer } from '../../cli/server-command.js';
import { startAgent } from '../agent.js';
import { createRuntimePodLookup } from '../streaming/runtime-pod-lookup.js';
import { createFakeContainerRuntime } from '../testing/fake-container-runtime.js';
import { createFakePlatform } from '../testing/fake-platform.js';

const NODE = 'finished-node';

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a Completed pod keeps its sandbox, container and logs until it is deleted', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'finished-pod-'));
  const server = await runServer({ dataDir: join(dir, 'server'), listen: '127.0.0.1:0', store: 'memory', log: nullLogger });
  const runtime = createFakeContainerRuntime({ images: ['busybox:1'], autoExit: () => ({ afterMs: 30, exitCode: 0 }) });
  const dataDir = join(dir, 'agent');
  const agent = startAgent({
    client: server.client,
    nodeName: NODE,
    runtime,
    platform: createFakePlatform(),
    dataDir,
    log: nullLogger,
    podCidr: '10.88.0.0/24',
    streamingPort: 10350,
    dns: { servers: ['192.0.2.53'], searches: [], options: [] },
    pollMs: 100,
    syncPeriodMs: 500,
    statusCheckMs: 300,
    leaseRenewMs: 300,
  });
  const lookup = createRuntimePodLookup(runtime, dataDir, 60_000);
  const c = server.client;
  const path = '/api/v1/namespaces/default/pods/once';
  try {
    await agent.ready();
    const created = await c.request<Pod>('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'once' },
      spec: { nodeName: NODE, restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1' }] },
    });
    const uid = created.metadata.uid ?? '';
    // the fake runtime writes no logs: the file the container would have written
    const logDir = join(dataDir, 'logs', 'pods', `default_once_${uid}`);
    await mkdir(join(logDir, 'main'), { recursive: true });
    await writeFile(join(logDir, 'main', '0.log'), '2026-01-01T00:00:01.5Z stdout F hello\n');
    await until('Succeeded', async () => (await c.getOrUndefined<Pod>(path))?.status?.phase === 'Succeeded');
    await new Promise((r) => setTimeout(r, 1500)); // a few more syncs of the finished pod
    const sandboxes = [...runtime.sandboxes.values()].filter((s) => s.status.uid === uid);
    assert.equal(sandboxes.length, 1, 'the sandbox is kept');
    assert.equal(sandboxes[0]?.status.state, 'notready', 'and stopped');
    const containers = [...runtime.containers.values()].filter((x) => x.status.labels['io.kubernetes.pod.uid'] === uid);
    assert.deepEqual(
      containers.map((x) => [x.status.name, x.status.state, x.status.exitCode]),
      [['main', 'exited', 0]],
    );
    assert.ok(!runtime.calls.some((x) => x.startsWith('removePodSandbox') || x.startsWith('removeContainer')), runtime.calls.join('\n'));
    const seen = await lookup.lookup('default', 'once', 'main');
    assert.equal(seen?.uid, uid);
    assert.equal(seen?.logDir, logDir);
    assert.equal(seen?.containers.get('main'), containers[0]?.status.id);

    await c.request('DELETE', path);
    await until('the pod gone', async () => (await c.getOrUndefined<Pod>(path)) === undefined);
    await until('the sandbox removed', async () => ![...runtime.sandboxes.values()].some((s) => s.status.uid === uid));
    await until('the log directory removed', async () => !existsSync(logDir));
    await lookup.refresh();
    assert.equal(await lookup.lookup('default', 'once'), undefined);
  } finally {
    lookup.stop();
    await agent.stop();
    await runtime.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
