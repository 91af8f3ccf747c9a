// The node's stats summary (the kubelet's /stats/summary shape, stats/v1alpha1): node CPU and memory
// from the host, pod and container CPU and memory from the runtime's container stats.

import type { Runtime } from '../runtime/runtime.js';
import { nanoCores, nodeMemory, sampleCpu, type CpuSample } from './node-stats.js';

interface CpuStats {
  time: string;
  usageNanoCores: number;
  usageCoreNanoSeconds: number;
}
interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes: number;
  workingSetBytes: number;
  rssBytes: number;
}
interface ContainerSummary {
  name: string;
  startTime?: string;
  cpu: CpuStats;
  memory: MemoryStats;
}
interface PodSummary {
  podRef: { name: string; namespace: string; uid: string };
  startTime?: string;
  cpu: CpuStats;
  memory: MemoryStats;
  containers: ContainerSummary[];
}
interface SystemContainer {
  name: string;
  startTime: string;
  memory: MemoryStats;
}
interface Summary {
  node: { nodeName: string; startTime?: string; cpu: CpuStats; memory: MemoryStats; systemContainers: SystemContainer[] };
  pods: PodSummary[];
}

export interface StatsProvider {
  summary(): Promise<Summary>;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const started = iso(Date.now() - process.uptime() * 1000);

/** The agent's own memory, as the kubelet reports its own: the `kubelet` system container, measured by the process itself (any OS). */
function agentContainer(t: string): SystemContainer {
  const rss = process.memoryUsage.rss();
  return { name: 'kubelet', startTime: started, memory: { time: t, usageBytes: rss, workingSetBytes: rss, rssBytes: rss } };
}

export function createStatsProvider(o: { runtime: Runtime; nodeName: string; now?: () => number; meminfoPath?: string }): StatsProvider {
  const now = o.now ?? Date.now;
  let last: CpuSample | undefined;
  let lastRate = 0;

  async function nodeCpu(): Promise<CpuStats> {
    let cur = sampleCpu(now);
    if (!last || cur.timeNs - last.timeNs > 60e9) {
      // No recent sample: take two a moment apart so the first answer already has a rate.
      last = cur;
      await new Promise((r) => setTimeout(r, 100));
      cur = sampleCpu(now);
    }
    if (cur.timeNs - last.timeNs >= 50e6) {
      lastRate = nanoCores(last, cur);
      last = cur;
    }
    return { time: iso(cur.timeNs / 1e6), usageNanoCores: lastRate, usageCoreNanoSeconds: cur.usageCoreNanoSeconds };
  }

  return {
    async summary() {
      const [cpu, mem, sandboxes, stats] = await Promise.all([
        nodeCpu(),
        nodeMemory(o.meminfoPath),
        o.runtime.listPodSandboxes(),
        o.runtime.listContainerStats(),
      ]);
      const t = iso(now());
      const pods = new Map<string, PodSummary>();
      for (const sb of sandboxes) {
        if (sb.state !== 'ready') continue;
        pods.set(sb.id, {
          podRef: { name: sb.name, namespace: sb.namespace, uid: sb.uid },
          startTime: iso(sb.createdAt / 1e6),
          cpu: { time: t, usageNanoCores: 0, usageCoreNanoSeconds: 0 },
          memory: { time: t, usageBytes: 0, workingSetBytes: 0, rssBytes: 0 },
          containers: [],
        });
      }
      for (const s of stats) {
        const pod = s.sandboxId === undefined ? undefined : pods.get(s.sandboxId);
        if (!pod) continue;
        const time = s.timestamp > 0 ? iso(s.timestamp / 1e6) : t;
        pod.containers.push({
          name: s.name,
          cpu: { time, usageNanoCores: s.cpuUsageNanoCores, usageCoreNanoSeconds: s.cpuUsageCoreNanoSeconds },
          memory: { time, usageBytes: s.memoryUsageBytes, workingSetBytes: s.memoryWorkingSetBytes, rssBytes: s.memoryRssBytes },
        });
        pod.cpu.usageNanoCores += s.cpuUsageNanoCores;
        pod.cpu.usageCoreNanoSeconds += s.cpuUsageCoreNanoSeconds;
        pod.memory.usageBytes += s.memoryUsageBytes;
        pod.memory.workingSetBytes += s.memoryWorkingSetBytes;
        pod.memory.rssBytes += s.memoryRssBytes;
      }
      return {
        node: { nodeName: o.nodeName, cpu, memory: { time: t, ...mem }, systemContainers: [agentContainer(t)] },
        pods: [...pods.values()],
      };
    },
  };
}
