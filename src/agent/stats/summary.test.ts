import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanoCores, nodeMemory, parseMeminfo } from './node-stats.js';
import { createStatsProvider } from './summary.js';
import { createAgentMetrics } from './metrics.js';
import type { Runtime } from '../runtime/runtime.js';

test('meminfo parsing and node memory', async () => {
  const m = parseMeminfo('MemTotal:       1000 kB\nMemFree:         300 kB\nMemAvailable:    600 kB\nHugePages_Total:       0\n');
  assert.equal(m.get('MemTotal'), 1000 * 1024);
  assert.equal(m.get('HugePages_Total'), 0);
  const dir = mkdtempSync(join(tmpdir(), 'meminfo-'));
  try {
    writeFileSync(join(dir, 'meminfo'), 'MemTotal: 1000 kB\nMemFree: 300 kB\nMemAvailable: 600 kB\n');
    const mem = await nodeMemory(join(dir, 'meminfo'));
    assert.deepEqual(mem, { availableBytes: 600 * 1024, usageBytes: 700 * 1024, workingSetBytes: 400 * 1024, rssBytes: 400 * 1024 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nanocores from two samples', () => {
  assert.equal(nanoCores({ timeNs: 0, usageCoreNanoSeconds: 0 }, { timeNs: 1e9, usageCoreNanoSeconds: 5e8 }), 5e8);
  assert.equal(nanoCores({ timeNs: 1e9, usageCoreNanoSeconds: 0 }, { timeNs: 1e9, usageCoreNanoSeconds: 5 }), 0);
});

test('summary groups container stats by sandbox; metrics render them', async () => {
  const runtime = {
    listPodSandboxes: () =>
      Promise.resolve([
        {
          id: 's1',
          state: 'ready',
          createdAt: 1e18,
          additionalIps: [],
          name: 'a',
          namespace: 'ns',
          uid: 'u1',
          attempt: 0,
          labels: {},
          annotations: {},
        },
        {
          id: 's2',
          state: 'notready',
          createdAt: 1e18,
          additionalIps: [],
          name: 'gone',
          namespace: 'ns',
          uid: 'u2',
          attempt: 0,
          labels: {},
          annotations: {},
        },
      ]),
    listContainerStats: () =>
      Promise.resolve([
        {
          id: 'c1',
          name: 'x',
          sandboxId: 's1',
          cpuUsageCoreNanoSeconds: 2e9,
          cpuUsageNanoCores: 1e6,
          memoryWorkingSetBytes: 100,
          memoryUsageBytes: 150,
          memoryRssBytes: 50,
          timestamp: 1e18,
        },
        {
          id: 'c2',
          name: 'y',
          sandboxId: 's1',
          cpuUsageCoreNanoSeconds: 1e9,
          cpuUsageNanoCores: 2e6,
          memoryWorkingSetBytes: 200,
          memoryUsageBytes: 250,
          memoryRssBytes: 60,
          timestamp: 1e18,
        },
        {
          id: 'c3',
          name: 'z',
          sandboxId: 's2',
          cpuUsageCoreNanoSeconds: 1,
          cpuUsageNanoCores: 1,
          memoryWorkingSetBytes: 1,
          memoryUsageBytes: 1,
          memoryRssBytes: 1,
          timestamp: 1e18,
        },
      ]),
  } as unknown as Runtime;
  const stats = createStatsProvider({ runtime, nodeName: 'n1' });
  const s = await stats.summary();
  assert.equal(s.node.nodeName, 'n1');
  // the agent's own memory, as the kubelet's `kubelet` system container
  const self = s.node.systemContainers.find((c) => c.name === 'kubelet');
  assert.ok(self && self.memory.rssBytes > 10 * 1024 * 1024 && self.memory.rssBytes < 4 * 1024 ** 3, JSON.stringify(self));
  assert.equal(s.pods.length, 1);
  assert.deepEqual(s.pods[0]!.podRef, { name: 'a', namespace: 'ns', uid: 'u1' });
  assert.equal(s.pods[0]!.cpu.usageNanoCores, 3e6);
  assert.equal(s.pods[0]!.memory.workingSetBytes, 300);
  assert.deepEqual(
    s.pods[0]!.containers.map((c) => c.name),
    ['x', 'y'],
  );
  const text = await createAgentMetrics(stats).render();
  assert.match(text, /pod_cpu_usage_seconds_total\{namespace="ns",pod="a"\} 3\n/);
  assert.match(text, /container_memory_working_set_bytes\{namespace="ns",pod="a",container="y"\} 200\n/);
  assert.doesNotMatch(text, /pod="gone"/);
});
