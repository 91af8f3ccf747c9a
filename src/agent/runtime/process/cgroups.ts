// Linux resource limits of the process runtime: one cgroup per container below the pod's cgroup
// (the sandbox's `linux.cgroupParent`, the same `/tandem/<qos>/pod<uid>` the CRI path gives
// containerd), with the container's cpu and memory limits; the pod's own limits on the pod cgroup.
// Both hierarchies are handled: cgroup v2 (memory.max, cpu.max, cpu.weight; controllers enabled
// down the tree through cgroup.subtree_control) and v1 (memory.limit_in_bytes, cpu.cfs_quota_us,
// cpu.shares in each controller's own hierarchy), because hybrid hosts still exist. The process is
// moved in by the launcher before it runs its own code (shim.ts). Also: emptying a cgroup (stop), and
// its cpu and memory for stats.

import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LinuxContainerResources } from '../runtime.js';

type Controller = 'memory' | 'cpu' | 'cpuacct' | 'pids';

export interface CgroupLayout {
  version: 1 | 2;
  /** v2: the one root; v1: each controller's hierarchy root */
  roots: Partial<Record<Controller, string>> & { unified?: string };
}

/** The cgroup directories of one container (one per v1 hierarchy, one on v2). */
export interface ContainerCgroup {
  version: 1 | 2;
  dirs: string[];
  /** where the launcher writes its pid */
  procs: string[];
  /** the directory with the memory controller's files (limits check, stats) */
  memoryDir?: string;
  /** the directory with cpu accounting (stats) */
  cpuDir?: string;
}

export async function detectLayout(mount: string): Promise<CgroupLayout | undefined> {
  if (existsSync(join(mount, 'cgroup.controllers'))) return { version: 2, roots: { unified: mount } };
  let names: string[];
  try {
    names = await readdir(mount);
  } catch {
    return undefined;
  }
  const roots: CgroupLayout['roots'] = {};
  for (const n of names) {
    for (const c of n.split(',')) if (c === 'memory' || c === 'cpu' || c === 'cpuacct' || c === 'pids') roots[c] = join(mount, n);
  }
  return roots.memory || roots.cpu ? { version: 1, roots } : undefined;
}

const rel = (p: string) => p.replace(/^\/+|\/+$/g, '');

async function enableV2Controllers(root: string, podParent: string): Promise<void> {
  const available = (await readFile(join(root, 'cgroup.controllers'), 'utf8')).split(/\s+/);
  const want = ['cpu', 'memory', 'pids'].filter((c) => available.includes(c));
  let dir = root;
  for (const part of rel(podParent).split('/')) {
    const enabled = (await readFile(join(dir, 'cgroup.subtree_control'), 'utf8')).split(/\s+/);
    const missing = want.filter((c) => !enabled.includes(c));
    if (missing.length) await writeFile(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
    dir = join(dir, part);
    await mkdir(dir, { recursive: true });
  }
  const enabled = (await readFile(join(dir, 'cgroup.subtree_control'), 'utf8')).split(/\s+/);
  const missing = want.filter((c) => !enabled.includes(c));
  if (missing.length) await writeFile(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
}

/** runc's conversion of cpu shares (2..262144) to a cgroup v2 weight (1..10000). */
const sharesToWeight = (shares: number) => Math.round(1 + ((Math.min(Math.max(shares, 2), 262144) - 2) * 9999) / 262142);

const LIMIT_FILES = ['memory.max', 'cpu.max', 'cpu.weight', 'memory.limit_in_bytes', 'cpu.cfs_period_us', 'cpu.cfs_quota_us', 'cpu.shares'];

/** The limit files' contents for some resources: both hierarchies' names, each written where it exists. */
function limitValues(r: LinuxContainerResources): Record<string, string> {
  const out: Record<string, string> = {};
  if (r.memoryLimitInBytes && r.memoryLimitInBytes > 0) {
    out['memory.max'] = String(r.memoryLimitInBytes);
    out['memory.limit_in_bytes'] = String(r.memoryLimitInBytes);
  }
  if (r.cpuQuota && r.cpuQuota > 0) {
    out['cpu.max'] = `${r.cpuQuota} ${r.cpuPeriod || 100000}`;
    out['cpu.cfs_period_us'] = String(r.cpuPeriod || 100000);
    out['cpu.cfs_quota_us'] = String(r.cpuQuota);
  }
  if (r.cpuShares) {
    out['cpu.weight'] = String(sharesToWeight(r.cpuShares));
    out['cpu.shares'] = String(r.cpuShares);
  }
  return out;
}

/** Writes the limits into the directories (also used for UpdateContainerResources). */
export async function writeLimits(dirs: string[], r: LinuxContainerResources | undefined): Promise<void> {
  if (!r) return;
  const values = limitValues(r);
  for (const dir of dirs) {
    // the period before the quota: v1 refuses a quota over a smaller old period's bounds otherwise
    for (const f of LIMIT_FILES) {
      const v = values[f];
      if (v !== undefined && existsSync(join(dir, f))) await writeFile(join(dir, f), v);
    }
  }
}

/**
 * Creates the pod's and the container's cgroups with their limits. Throws when cgroups cannot be
 * written (the caller reports the limits as not enforced).
 */
export async function createContainerCgroup(
  layout: CgroupLayout,
  podParent: string,
  containerId: string,
  pod: LinuxContainerResources | undefined,
  container: LinuxContainerResources | undefined,
): Promise<ContainerCgroup> {
  if (!rel(podParent) || rel(podParent).split('/').includes('..')) throw new Error(`invalid cgroup parent "${podParent}"`);
  if (layout.version === 2) {
    const root = layout.roots.unified!;
    await enableV2Controllers(root, podParent);
    const podDir = join(root, rel(podParent));
    await writeLimits([podDir], pod);
    const dir = join(podDir, containerId);
    await mkdir(dir, { recursive: true });
    await writeLimits([dir], container);
    return { version: 2, dirs: [dir], procs: [join(dir, 'cgroup.procs')], memoryDir: dir, cpuDir: dir };
  }
  const podDirs: Partial<Record<Controller, string>> = {};
  const dirs: Partial<Record<Controller, string>> = {};
  for (const [c, root] of Object.entries(layout.roots) as Array<[Controller | 'unified', string]>) {
    if (c === 'unified') continue;
    podDirs[c] = join(root, rel(podParent));
    dirs[c] = join(root, rel(podParent), containerId);
    await mkdir(dirs[c], { recursive: true });
  }
  await writeLimits([...new Set(Object.values(podDirs))], pod);
  await writeLimits([...new Set(Object.values(dirs))], container);
  const unique = [...new Set(Object.values(dirs))];
  return {
    version: 1,
    dirs: unique,
    procs: unique.map((d) => join(d, 'cgroup.procs')),
    ...(dirs.memory ? { memoryDir: dirs.memory } : {}),
    ...(dirs.cpuacct ? { cpuDir: dirs.cpuacct } : {}),
  };
}

async function pidsIn(dir: string): Promise<number[]> {
  try {
    return (await readFile(join(dir, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Kills everything in the container's cgroup, also processes that left its process group. */
export async function killCgroup(cg: Pick<ContainerCgroup, 'version' | 'dirs'>): Promise<void> {
  for (const dir of cg.dirs) {
    if (cg.version === 2 && existsSync(join(dir, 'cgroup.kill'))) {
      await writeFile(join(dir, 'cgroup.kill'), '1').catch(() => undefined);
    }
  }
  // v1, or v2 before 5.14: kill what is listed until nothing is (a fork between reads is caught next round)
  for (let round = 0; round < 50; round++) {
    const pids = [...new Set((await Promise.all(cg.dirs.map(pidsIn))).flat())];
    if (pids.length === 0) return;
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether any process is still in the cgroup. */
export async function cgroupPopulated(cg: Pick<ContainerCgroup, 'dirs'>): Promise<boolean> {
  return (await Promise.all(cg.dirs.map(pidsIn))).some((p) => p.length > 0);
}

async function rmdirRetry(dir: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await rmdir(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || i >= 20) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export async function removeContainerCgroup(cg: ContainerCgroup): Promise<void> {
  for (const d of cg.dirs) await rmdirRetry(d);
}

/** Removes a pod's cgroup directories once their containers' are gone (errors ignored: the platform cleans up too). */
export async function removePodCgroup(layout: CgroupLayout, podParent: string): Promise<void> {
  const roots = Object.values(layout.roots);
  for (const root of new Set(roots)) {
    const dir = join(root, rel(podParent));
    if (!rel(podParent) || !existsSync(dir)) continue;
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => []))
      if (e.isDirectory()) await rmdirRetry(join(dir, e.name)).catch(() => undefined);
    await rmdirRetry(dir).catch(() => undefined);
  }
}

const num = async (p: string): Promise<number | undefined> => {
  try {
    const n = Number((await readFile(p, 'utf8')).trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
};

const statField = async (p: string, key: string): Promise<number> => {
  try {
    const line = (await readFile(p, 'utf8')).split('\n').find((l) => l.startsWith(`${key} `));
    return line ? Number(line.split(' ')[1]) || 0 : 0;
  } catch {
    return 0;
  }
};

/** Cumulative cpu (ns) and memory of a container's cgroup. */
export async function cgroupUsage(cg: ContainerCgroup): Promise<{ cpuNs: number; memory: number; workingSet: number; rss: number }> {
  if (cg.version === 2) {
    const d = cg.memoryDir!;
    const cpuNs = (await statField(join(d, 'cpu.stat'), 'usage_usec')) * 1000;
    const memory = (await num(join(d, 'memory.current'))) ?? 0;
    const inactive = await statField(join(d, 'memory.stat'), 'inactive_file');
    return { cpuNs, memory, workingSet: Math.max(0, memory - inactive), rss: await statField(join(d, 'memory.stat'), 'anon') };
  }
  const cpuNs = cg.cpuDir ? ((await num(join(cg.cpuDir, 'cpuacct.usage'))) ?? 0) : 0;
  const m = cg.memoryDir;
  const memory = m ? ((await num(join(m, 'memory.usage_in_bytes'))) ?? 0) : 0;
  const inactive = m ? await statField(join(m, 'memory.stat'), 'total_inactive_file') : 0;
  const rss = m ? await statField(join(m, 'memory.stat'), 'total_rss') : 0;
  return { cpuNs, memory, workingSet: Math.max(0, memory - inactive), rss };
}

/** Whether the kernel killed a process of the cgroup for memory (reason OOMKilled). */
export async function cgroupOomKilled(cg: ContainerCgroup): Promise<boolean> {
  if (!cg.memoryDir) return false;
  if (cg.version === 2) return (await statField(join(cg.memoryDir, 'memory.events'), 'oom_kill')) > 0;
  return (await statField(join(cg.memoryDir, 'memory.oom_control'), 'oom_kill')) > 0;
}
