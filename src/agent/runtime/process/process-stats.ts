// Container stats of the process runtime: on Linux from the container's cgroup (cpu and memory of
// everything in it), else from /proc for the container's main process only; on Windows zeros,
// because Node can read resource usage only of itself (process.resourceUsage) and the per-process
// counters need native calls or PowerShell, too slow for a stats poll.

import { readFile } from 'node:fs/promises';
import type { ContainerStats } from '../runtime.js';
import { cgroupUsage } from './cgroups.js';
import type { ProcessOs } from './command.js';
import type { ContainerRecord } from './records.js';
import { readJson, shimPaths, type ShimState } from './shim-files.js';

/** Linux's USER_HZ: /proc times are in these ticks on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

async function procUsage(pid: number): Promise<{ cpuNs: number; memory: number; workingSet: number; rss: number }> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime (fields 14-17): the process and its reaped children
    const ticks = [11, 12, 13, 14].reduce((s, i) => s + (Number(f[i]) || 0), 0);
    const status = await readFile(`/proc/${pid}/status`, 'latin1');
    const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    const rss = rssKb * 1024;
    return { cpuNs: (ticks * 1e9) / TICKS_PER_SECOND, memory: rss, workingSet: rss, rss };
  } catch {
    return { cpuNs: 0, memory: 0, workingSet: 0, rss: 0 };
  }
}

export function createStatsReader(os: ProcessOs) {
  const previous = new Map<string, { cpuNs: number; at: number }>();
  return {
    async read(r: ContainerRecord): Promise<ContainerStats> {
      const at = Date.now() * 1e6;
      const pid = readJson<ShimState>(shimPaths(r.dir).state)?.pid ?? 0;
      const u =
        os !== 'linux' ? { cpuNs: 0, memory: 0, workingSet: 0, rss: 0 } : r.cgroup ? await cgroupUsage(r.cgroup) : await procUsage(pid);
      const prev = previous.get(r.id);
      previous.set(r.id, { cpuNs: u.cpuNs, at });
      const rate = prev && at > prev.at ? Math.max(0, ((u.cpuNs - prev.cpuNs) * 1e9) / (at - prev.at)) : 0;
      return {
        id: r.id,
        name: r.cfg.name,
        sandboxId: r.sandboxId,
        cpuUsageCoreNanoSeconds: u.cpuNs,
        cpuUsageNanoCores: Math.round(rate),
        memoryWorkingSetBytes: u.workingSet,
        memoryUsageBytes: u.memory,
        memoryRssBytes: u.rss,
        timestamp: at,
      };
    },
  };
}
