// What `tandem down` needs from a Linux host: reading what a node of a data dir left (interfaces,
// nftables tables, the pod network's marked routes, mounts, processes, pod cgroups) and removing
// each, one at a time, so that a partly broken host (a device already gone, nft missing) fails one
// step and not the rest. Which of these belong to the data dir is decided by the caller's plan
// (src/cli/down/plan.ts) from the names in host-names.ts; nothing here guesses.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../../../base/log.js';
import { cgroupHierarchies, podCgroupParent, removePodCgroups } from './cgroups.js';
import { containerdLayout } from './containerd-config.js';
import { superviseContainerd, type SupervisedContainerd } from './containerd-supervisor.js';

const run = promisify(execFile);

/** The routing protocol of the pod network's routes (src/network/podnet/programmer.ts ROUTE_PROTO). */
const PODNET_PROTO = 116;
/** The pod network's tunnel device (src/network/podnet/plan.ts DEFAULT_VXLAN). */
export const PODNET_VXLAN_DEVICE = 'tandem-vxlan';
/** The cgroup root of every Tandem's pods (linux-platform.ts). */
const CGROUP_ROOT = 'tandem';

const why = (e: unknown) => (e as { stderr?: string }).stderr?.trim() || (e instanceof Error ? e.message : String(e));

async function tool(cmd: string, args: string[]): Promise<string> {
  try {
    return (await run(cmd, args, { timeout: 15_000 })).stdout;
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')}: ${why(e)}`, { cause: e });
  }
}

/** Names of every network interface. */
export async function listLinks(): Promise<string[]> {
  const out = (await tool('ip', ['-j', 'link', 'show'])).trim();
  return out ? (JSON.parse(out) as Array<{ ifname?: string }>).flatMap((l) => (l.ifname ? [l.ifname] : [])) : [];
}

/** Names of the nftables tables of family ip. */
export async function listIpTables(): Promise<string[]> {
  const out = await tool('nft', ['list', 'tables', 'ip']);
  return [...out.matchAll(/^table ip (\S+)/gm)].map((m) => m[1]!);
}

/** Destinations of the pod network's marked routes (proto 116) in the main table. */
export async function listPodnetRoutes(): Promise<string[]> {
  const out = (await tool('ip', ['-j', '-4', 'route', 'show', 'table', 'main', 'proto', String(PODNET_PROTO)])).trim();
  return out ? (JSON.parse(out) as Array<{ dst?: string }>).flatMap((r) => (r.dst ? [r.dst] : [])) : [];
}

/** Mount points of this mount namespace (octal escapes decoded). */
export async function listMounts(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .flatMap((l) => (l.split(' ')[4] ? [l.split(' ')[4]!] : []))
    .map((p) => p.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))));
}

export interface HostProcess {
  pid: number;
  comm: string;
  cmdline: string;
}

/** Every process with its command line (NULs as spaces); ones that vanish while read are skipped. */
export function listProcesses(): HostProcess[] {
  const out: HostProcess[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmdline = readFileSync(join('/proc', d, 'cmdline'), 'utf8')
        .replace(/\0/g, ' ')
        .trim();
      const comm = readFileSync(join('/proc', d, 'comm'), 'utf8').trim();
      out.push({ pid: Number(d), comm, cmdline });
    } catch {
      /* gone */
    }
  }
  return out;
}

/** A path's real path (symlinks resolved), or the path itself when it does not exist. */
export const realPathOf = (p: string): Promise<string> => realpath(p).catch(() => p);

export async function deleteLink(name: string): Promise<void> {
  await tool('ip', ['link', 'del', 'dev', name]);
}

export async function deleteIpTable(name: string): Promise<void> {
  await tool('nft', ['delete', 'table', 'ip', name]);
}

export async function deletePodnetRoute(dst: string): Promise<void> {
  await tool('ip', ['route', 'del', dst, 'table', 'main', 'proto', String(PODNET_PROTO)]);
}

/** Unmounts one mount point; a busy one is detached lazily (it goes once its last user does). */
export async function unmount(path: string): Promise<'unmounted' | 'detached'> {
  try {
    await tool('umount', [path]);
    return 'unmounted';
  } catch {
    await tool('umount', ['-l', path]);
    return 'detached';
  }
}

/** The cgroup parents a pod of this UID may have (its QoS class is not known once it is gone). */
const podCgroupParents = (uid: string): string[] =>
  ['Guaranteed', 'Burstable', 'BestEffort'].map((q) => podCgroupParent(CGROUP_ROOT, uid, q));

async function pidsBelow(dir: string): Promise<number[]> {
  const out: number[] = [];
  const text = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  for (const l of text.split('\n')) if (/^\d+$/.test(l.trim())) out.push(Number(l.trim()));
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory()) out.push(...(await pidsBelow(join(dir, e.name))));
  return out;
}

/** Processes still inside the pod's cgroups, in any hierarchy. */
export async function podCgroupPids(uid: string, mount = '/sys/fs/cgroup'): Promise<number[]> {
  const pids = new Set<number>();
  for (const h of await cgroupHierarchies(mount))
    for (const parent of podCgroupParents(uid)) {
      const dir = join(h, parent);
      if (existsSync(dir)) for (const p of await pidsBelow(dir)) pids.add(p);
    }
  return [...pids];
}

/** Removes the pod's cgroups under every QoS parent, in every hierarchy; reports the directories that remain. */
export async function removeAllPodCgroups(uid: string, mount = '/sys/fs/cgroup'): Promise<void> {
  const errors: string[] = [];
  for (const parent of podCgroupParents(uid)) await removePodCgroups(parent, mount).catch((e: unknown) => errors.push(why(e)));
  if (errors.length) throw new Error(errors.join('; '));
}

/** Pod cgroup directories (pod<uid>) under the Tandem root in any hierarchy: what tests and `down` check is gone. */
export async function podCgroupDirs(uid: string, mount = '/sys/fs/cgroup'): Promise<string[]> {
  const out: string[] = [];
  for (const h of await cgroupHierarchies(mount))
    for (const parent of podCgroupParents(uid)) if (existsSync(join(h, parent))) out.push(join(h, parent));
  return out;
}

/**
 * The data dir's private containerd, started once more on the config its last run wrote (so that its
 * sandboxes can be stopped through the CRI, which also runs CNI DEL); undefined when it never ran here.
 * A containerd of that config still running (its agent was killed) is stopped first by the supervisor.
 */
export async function startLeftContainerd(agentDataDir: string, log: Logger): Promise<SupervisedContainerd | undefined> {
  const layout = containerdLayout(agentDataDir);
  if (!existsSync(layout.config)) return undefined;
  return superviseContainerd({ layout, log, startTimeoutMs: 20_000 });
}

/** Where containerd's CNI library caches results: files `<network>-<container id>-<ifname>`. */
export const CNI_CACHE_DIR = '/var/lib/cni/results';
