// `tandem down`: stops the node of a data dir and removes what `tandem up` made on the host, one
// step at a time with a progress line each; a step that fails is reported and the rest still run,
// so a partly broken host (containerd that will not start, a device already gone, no nft) is
// cleaned as far as it can be, and running down again is harmless. The order matters: the running
// `tandem up` first (it would recreate things), then the pods through their runtimes (containerd's
// CRI runs CNI DEL and unmounts their root file systems), then whatever is left by name (plan.ts).

import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { nullLogger, type Logger } from '../../base/log.js';
import { createImageStore, processImageRoot } from '../../agent/index.js';
import { hostCleanup, hostResourceNames, isPodnetTable, LEGACY_TABLES } from '../../agent/platform/linux/index.js';
import { createCriRuntime } from '../../agent/runtime/cri/index.js';
import { createProcessRuntime } from '../../agent/runtime/process/index.js';
import type { Progress } from '../progress.js';
import { storeHolder } from '../status-command.js';
import { planLinuxRemoval, purgeRefusal, type RemoveAction } from './plan.js';
import { stopProcess, protectedPids } from './stop-process.js';

export interface DownOptions {
  /** the data dir (resolved) */
  dataDir: string;
  purge: boolean;
  progress: Progress;
  /** how long the running `tandem up` gets to stop on SIGTERM before its process group is killed (default 30 s) */
  stopWaitMs?: number;
  log?: Logger;
}

export interface DownResult {
  done: number;
  failed: number;
  /** what was left on purpose, and why */
  kept: string[];
}

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function runDown(o: DownOptions): Promise<DownResult> {
  const { dataDir, progress } = o;
  const agentDir = join(dataDir, 'agent');
  const linux = process.platform === 'linux';
  const root = typeof process.getuid !== 'function' || process.getuid() === 0;
  const log = o.log ?? nullLogger;
  const result: DownResult = { done: 0, failed: 0, kept: [] };

  /** Runs one step: its line while it lasts, then ✓ with what it did or ✗ with why (and down goes on). */
  const step = async (title: string, run: () => Promise<string | void>): Promise<void> => {
    try {
      const detail = await progress.step(title, run);
      progress.line(`✓ ${title}${detail ? `: ${detail}` : ''}`);
      result.done++;
    } catch (e) {
      progress.line(`✗ ${title}: ${msg(e)} (going on)`);
      result.failed++;
    }
  };

  // 1. the `tandem up` (or server) holding the store: stopped first, or it would recreate what follows
  const holder = storeHolder(dataDir);
  if (holder !== undefined && holder !== process.pid)
    await step(`stopping the running tandem of ${dataDir} (pid ${holder})`, () => stopProcess(holder, o.stopWaitMs ?? 30_000));

  // 2. the pods, through the runtimes that made them
  const uids = new Set<string>();
  const sandboxIds: string[] = [];
  if (linux && existsSync(join(agentDir, 'containerd', 'config.toml'))) {
    if (!root) progress.line(`✗ the containerd pods of ${agentDir} need root to stop (run tandem down as root)`);
    else
      await step('stopping the pods of the private containerd', async () => {
        const managed = await hostCleanup.startLeftContainerd(agentDir, log.child('containerd'));
        if (!managed) return 'it never ran here';
        const runtime = createCriRuntime(managed.endpoint);
        const errors: string[] = [];
        try {
          for (const s of await runtime.listPodSandboxes()) {
            uids.add(s.uid);
            sandboxIds.push(s.id);
            await runtime.stopPodSandbox(s.id).catch((e: unknown) => errors.push(`stop ${s.namespace}/${s.name}: ${msg(e)}`));
            await runtime.removePodSandbox(s.id).catch((e: unknown) => errors.push(`remove ${s.namespace}/${s.name}: ${msg(e)}`));
          }
          for (const c of await runtime.listContainers()) await runtime.removeContainer(c.id).catch((e: unknown) => errors.push(msg(e)));
        } finally {
          await runtime.close();
          await managed.stop();
        }
        if (errors.length) throw new Error(errors.join('; '));
        return `${sandboxIds.length} pod sandbox(es) stopped and removed`;
      });
  }
  if (existsSync(join(agentDir, 'process'))) {
    await step('stopping the native process pods', async () => {
      const images = createImageStore({
        root: processImageRoot(agentDir),
        platform: { os: linux ? 'linux' : 'windows', architecture: process.arch === 'x64' ? 'amd64' : process.arch },
        log,
      });
      const runtime = createProcessRuntime({ dataDir: agentDir, images, os: linux ? 'linux' : 'windows', log });
      let n = 0;
      try {
        for (const s of await runtime.listPodSandboxes()) {
          uids.add(s.uid);
          await runtime.stopPodSandbox(s.id);
          await runtime.removePodSandbox(s.id);
          n++;
        }
      } finally {
        await runtime.close();
      }
      return `${n} pod(s) stopped`;
    });
  }
  for (const d of safeReaddir(join(agentDir, 'pods'))) uids.add(d);

  // 3. what is left on the host, by name (Linux)
  if (linux && root) await removeLinuxLeftovers(o, agentDir, [...uids], sandboxIds, step, result);
  else if (linux) progress.line('✗ removing the bridge, routes, nftables tables, mounts and cgroups needs root (run tandem down as root)');
  else
    result.kept.push(
      `on ${process.platform}, down stops the process pods only: containers of a system containerd and its networks are not touched`,
    );

  // 4. the data dir: all of it (--purge), else only the runtime state a next `up` must not trust
  if (o.purge) {
    const refusal = purgeRefusal(dataDir, existsSync(dataDir) ? safeReaddir(dataDir) : undefined, homedir());
    if (refusal) {
      progress.line(`✗ not removing ${dataDir}: ${refusal}`);
      result.failed++;
    } else if (existsSync(dataDir))
      await step(`removing the data dir ${dataDir}`, async () => rmSync(dataDir, { recursive: true, force: true }));
  } else if (linux && root) {
    const stale = ['containerd/state', 'containerd/runc', 'containerd/cni/ipam'].map((p) => join(agentDir, p)).filter((p) => existsSync(p));
    if (stale.length)
      await step("removing containerd's runtime state and the CNI address leases", async () => {
        for (const p of stale) rmSync(p, { recursive: true, force: true });
      });
    if (existsSync(dataDir))
      result.kept.push(`${dataDir} (the cluster's objects, images and certificates): \`tandem down --purge\` removes it too`);
  }
  return result;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

type Step = (title: string, run: () => Promise<string | void>) => Promise<void>;

async function removeLinuxLeftovers(
  o: DownOptions,
  agentDir: string,
  uids: string[],
  sandboxIds: string[],
  step: Step,
  result: DownResult,
): Promise<void> {
  const h = hostCleanup;
  const names = hostResourceNames(agentDir);
  const read = async <T>(what: string, get: () => Promise<T> | T, empty: T): Promise<T> => {
    try {
      return await get();
    } catch (e) {
      o.progress.line(`✗ reading ${what}: ${msg(e)} (going on without it)`);
      result.failed++;
      return empty;
    }
  };
  // the pods' own processes first (a container runc could not stop), so their cgroups can go
  const podPids = (await Promise.all(uids.map((u) => h.podCgroupPids(u).catch(() => [])))).flat();
  if (podPids.length) await step(`killing ${podPids.length} process(es) left in pod cgroups`, async () => killAll(podPids));

  const plan = planLinuxRemoval({
    names,
    agentDir,
    dataDirReal: await h.realPathOf(o.dataDir),
    links: await read('network interfaces (ip link)', h.listLinks, []),
    tables: await read('nftables tables (nft list tables)', h.listIpTables, []),
    podnetRoutes: await read('pod network routes (ip route)', h.listPodnetRoutes, []),
    mounts: await read('mounts (/proc/self/mountinfo)', h.listMounts, []),
    processes: await read('processes (/proc)', h.listProcesses, []),
    protectedPids: protectedPids(),
    legacyTables: LEGACY_TABLES,
    vxlanDevice: h.PODNET_VXLAN_DEVICE,
    isPodnetTable,
  });
  for (const s of plan.steps) await step(s.title, () => carryOut(s.action));
  result.kept.push(...plan.kept);

  if (uids.length)
    await step(`removing the cgroups of ${uids.length} pod(s)`, async () => {
      for (const u of uids) await h.removeAllPodCgroups(u);
    });
  // the CNI library's cached results of the sandboxes (CNI DEL removes them; a failed DEL does not)
  const cached = safeReaddir(h.CNI_CACHE_DIR).filter((f) => sandboxIds.some((id) => f.includes(`-${id}-`)));
  if (cached.length)
    await step(`removing ${cached.length} cached CNI result(s)`, async () => {
      for (const f of cached) rmSync(join(h.CNI_CACHE_DIR, f), { force: true });
    });
}

function killAll(pids: readonly number[]): string {
  let n = 0;
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
      n++;
    } catch {
      /* gone already */
    }
  }
  return `${n} killed`;
}

async function carryOut(a: RemoveAction): Promise<string | void> {
  const h = hostCleanup;
  switch (a.kind) {
    case 'kill': {
      const out = killAll(a.pids);
      // give them a moment to go, so their mounts and sockets are released before what follows
      const end = Date.now() + 5000;
      while (Date.now() < end && a.pids.some((p) => existsSync(`/proc/${p}`) && !isZombie(p))) await new Promise((r) => setTimeout(r, 50));
      return out;
    }
    case 'unmount': {
      let lazy = 0;
      const errors: string[] = [];
      for (const p of a.paths) {
        const r = await h.unmount(p).catch((e: unknown) => (errors.push(msg(e)), undefined));
        if (r === 'detached') lazy++;
      }
      if (errors.length) throw new Error(errors.join('; '));
      return lazy ? `${lazy} busy, detached lazily` : undefined;
    }
    case 'delete-link':
      return h.deleteLink(a.name);
    case 'delete-table':
      return h.deleteIpTable(a.name);
    case 'delete-routes':
      for (const d of a.dsts) await h.deletePodnetRoute(d);
      return;
  }
}

function isZombie(pid: number): boolean {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ''));
  } catch {
    return true;
  }
}
