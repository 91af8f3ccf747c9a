// The process runtime's sandboxes and containers on disk (`<dataDir>/process/…`), and a container's
// live status read from its shim's files: everything a runtime constructed anew needs to adopt what
// an earlier one started.

import { mkdir, readdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProcessImageConfig } from '../../images/image-source.js';
import type { ContainerConfig, ContainerStatus, SandboxConfig, SandboxStatus } from '../runtime.js';
import type { ContainerCgroup } from './cgroups.js';
import { alive } from './process-tree.js';
import { readJson, shimPaths, type ShimExit, type ShimState } from './shim-files.js';

export interface SandboxRecord {
  id: string;
  cfg: SandboxConfig;
  createdAt: number;
  state: 'ready' | 'notready';
  ip: string;
  /** the pod cgroup this runtime made (removed with the sandbox) */
  cgroupParent?: string;
}

export interface ContainerRecord {
  id: string;
  sandboxId: string;
  cfg: ContainerConfig;
  createdAt: number;
  imageId: string;
  imageRef: string;
  imageConfig: ProcessImageConfig;
  /** the container's directory (records, shim files) and its root (the unpacked image) */
  dir: string;
  root: string;
  logPath: string;
  cgroup?: ContainerCgroup;
  /** why its resource limits are not enforced, when it asked for some */
  unenforced?: string;
  /** the kernel killed a process of its cgroup for memory (reason OOMKilled), seen once it exited */
  oomKilled?: boolean;
}

export interface RecordPaths {
  sandboxes: string;
  containers: string;
}

export const recordPaths = (dataDir: string): RecordPaths => ({
  sandboxes: join(dataDir, 'process', 'sandboxes'),
  containers: join(dataDir, 'process', 'containers'),
});

async function writeAtomic(path: string, value: unknown): Promise<void> {
  await writeFile(`${path}.tmp`, JSON.stringify(value));
  await rename(`${path}.tmp`, path);
}

export async function saveSandbox(p: RecordPaths, r: SandboxRecord): Promise<void> {
  await mkdir(p.sandboxes, { recursive: true });
  await writeAtomic(join(p.sandboxes, `${r.id}.json`), r);
}

export async function deleteSandbox(p: RecordPaths, id: string): Promise<void> {
  await rm(join(p.sandboxes, `${id}.json`), { force: true });
}

export async function saveContainer(r: ContainerRecord): Promise<void> {
  await mkdir(r.dir, { recursive: true });
  await writeAtomic(join(r.dir, 'container.json'), r);
}

/** Every record on disk; unreadable ones (a crash mid-create) are skipped. */
export async function loadRecords(p: RecordPaths): Promise<{ sandboxes: SandboxRecord[]; containers: ContainerRecord[] }> {
  const list = async (dir: string) => readdir(dir).catch(() => [] as string[]);
  const parse = async <T>(file: string): Promise<T | undefined> => {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as T;
    } catch {
      return undefined;
    }
  };
  const sandboxes: SandboxRecord[] = [];
  for (const n of await list(p.sandboxes)) {
    if (!n.endsWith('.json')) continue;
    const r = await parse<SandboxRecord>(join(p.sandboxes, n));
    if (r) sandboxes.push(r);
  }
  const containers: ContainerRecord[] = [];
  for (const n of await list(p.containers)) {
    const r = await parse<ContainerRecord>(join(p.containers, n, 'container.json'));
    if (r) containers.push(r);
  }
  return { sandboxes, containers };
}

export function sandboxStatus(r: SandboxRecord): SandboxStatus {
  return {
    id: r.id,
    state: r.state,
    createdAt: r.createdAt,
    ip: r.ip,
    additionalIps: [],
    name: r.cfg.name,
    namespace: r.cfg.namespace,
    uid: r.cfg.uid,
    attempt: r.cfg.attempt,
    labels: r.cfg.labels,
    annotations: r.cfg.annotations,
  };
}

/** Where a container's process is: its shim's state and exit files, and whether shim and process live. */
export function processFacts(r: ContainerRecord): { state?: ShimState; exit?: ShimExit; running: boolean } {
  const paths = shimPaths(r.dir);
  const exit = readJson<ShimExit>(paths.exit);
  const state = readJson<ShimState>(paths.state);
  const running = !exit && !!state && (alive(state.shimPid) || alive(state.pid, state.pidStartTicks));
  return { ...(state ? { state } : {}), ...(exit ? { exit } : {}), running };
}

export function containerStatus(r: ContainerRecord): ContainerStatus {
  const f = processFacts(r);
  const base: ContainerStatus = {
    id: r.id,
    sandboxId: r.sandboxId,
    name: r.cfg.name,
    attempt: r.cfg.attempt,
    state: 'created',
    createdAt: r.createdAt,
    startedAt: f.state?.startedAt ?? 0,
    finishedAt: 0,
    exitCode: 0,
    reason: '',
    message: '',
    image: r.cfg.image,
    imageRef: r.imageRef,
    labels: r.cfg.labels,
    annotations: r.cfg.annotations,
    logPath: r.logPath,
  };
  if (f.exit) {
    const reason = f.exit.message ? 'StartError' : r.oomKilled ? 'OOMKilled' : f.exit.exitCode === 0 ? 'Completed' : 'Error';
    return { ...base, state: 'exited', finishedAt: f.exit.finishedAt, exitCode: f.exit.exitCode, reason, message: f.exit.message ?? '' };
  }
  if (f.running) return { ...base, state: 'running' };
  if (f.state) {
    // shim and process gone without an exit record (the host rebooted, or both were killed)
    return {
      ...base,
      state: 'exited',
      finishedAt: base.startedAt,
      exitCode: 255,
      reason: 'Unknown',
      message: 'the process and its shim are gone without an exit record',
    };
  }
  return base;
}
