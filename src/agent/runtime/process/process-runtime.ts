// The native process runtime (issue 10, the HostProcess model): a pod sandbox is a directory and a
// record, sharing the host's network (its IP is the host's); a container is its image unpacked into
// its own directory and a host process started there by a detached shim (shim.ts), which keeps it
// and its exit code known across agent restarts. A runtime constructed over the same data dir adopts
// what is running. Limits: a cgroup per container on Linux (cgroups.ts); on Windows none (job objects
// are out of Node's reach), which unenforcedLimits reports for the pod's events. Exec and attach are
// served directly (openStream), port-forward dials the host.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nullLogger, type Logger } from '../../../base/log.js';
import type { ImageSource } from '../../images/image-source.js';
import {
  RuntimeNotFoundError,
  type ContainerStatus,
  type ImageInfo,
  type LinuxContainerResources,
  type Runtime,
  type SandboxConfig,
} from '../runtime.js';
import type { ProcessOs } from './command.js';
import {
  cgroupOomKilled,
  cgroupPopulated,
  createContainerCgroup,
  detectLayout,
  killCgroup,
  removeContainerCgroup,
  removePodCgroup,
  writeLimits,
  type CgroupLayout,
} from './cgroups.js';
import { launchOf } from './launch.js';
import { exposeMounts } from './mounts.js';
import { execSync, openStream } from './process-exec.js';
import { createStatsReader } from './process-stats.js';
import { alive, signalTree } from './process-tree.js';
import {
  containerStatus,
  deleteSandbox,
  loadRecords,
  processFacts,
  recordPaths,
  sandboxStatus,
  saveContainer,
  saveSandbox,
  type ContainerRecord,
  type SandboxRecord,
} from './records.js';
import { shimPaths, writeJsonAtomic, type ShimSpec } from './shim-files.js';

export interface ProcessRuntimeOptions {
  /** the agent's data dir: records under DATA/process */
  dataDir: string;
  images: ImageSource;
  os: ProcessOs;
  /** the node's IPs: a sandbox's IP is the first */
  hostIPs?: string[];
  log?: Logger;
  /** cgroup file system (tests), default /sys/fs/cgroup */
  cgroupMount?: string;
  /** how long startContainer waits for the shim to report, default 20 s (Wine starts node slowly) */
  startTimeoutMs?: number;
}

const SHIM = fileURLToPath(new URL('./shim.js', import.meta.url));
const nowNs = () => Date.now() * 1e6;
const newId = () => randomBytes(32).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const matches = (labels: Record<string, string>, want?: Record<string, string>) =>
  !want || Object.entries(want).every(([k, v]) => labels[k] === v);

function firstHostIp(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

const asksLinuxLimits = (r: LinuxContainerResources | undefined) => !!r && ((r.cpuQuota ?? 0) > 0 || (r.memoryLimitInBytes ?? 0) > 0);

export function createProcessRuntime(o: ProcessRuntimeOptions): Runtime {
  const log = o.log ?? nullLogger;
  const paths = recordPaths(o.dataDir);
  const sandboxes = new Map<string, SandboxRecord>();
  const containers = new Map<string, ContainerRecord>();
  let layout: Promise<CgroupLayout | undefined> | undefined;
  const cgroupLayout = () => (layout ??= o.os === 'linux' ? detectLayout(o.cgroupMount ?? '/sys/fs/cgroup') : Promise.resolve(undefined));
  const stats = createStatsReader(o.os);
  const loaded = loadRecords(paths).then(({ sandboxes: s, containers: c }) => {
    for (const r of s) sandboxes.set(r.id, r);
    for (const r of c) containers.set(r.id, r);
    const running = c.filter((r) => processFacts(r).running).length;
    if (c.length) log.info('process runtime adopted its containers', { containers: c.length, running });
  });

  async function sandbox(id: string): Promise<SandboxRecord> {
    await loaded;
    const r = sandboxes.get(id);
    if (!r) throw new RuntimeNotFoundError(`pod sandbox ${id} not found`);
    return r;
  }
  async function container(id: string): Promise<ContainerRecord> {
    await loaded;
    const r = containers.get(id);
    if (!r) throw new RuntimeNotFoundError(`container ${id} not found`);
    return r;
  }
  async function statusOf(r: ContainerRecord): Promise<ContainerStatus> {
    const st = containerStatus(r);
    if (st.state === 'exited' && r.cgroup && r.oomKilled === undefined) {
      r.oomKilled = await cgroupOomKilled(r.cgroup);
      await saveContainer(r).catch(() => undefined);
      return containerStatus(r);
    }
    return st;
  }

  async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    for (;;) {
      if (await cond()) return true;
      if (Date.now() >= until) return false;
      await sleep(25);
    }
  }

  /** Graceful, then forced after `timeoutSeconds`; then nothing of the container is left (process-tree.ts). */
  async function stop(r: ContainerRecord, timeoutSeconds: number): Promise<void> {
    const f = processFacts(r);
    const pid = f.state?.pid;
    if (f.running && pid) {
      const exited = () => !processFacts(r).running;
      let forced = timeoutSeconds <= 0;
      if (!forced) {
        await signalTree(o.os, pid, false);
        forced = !(await waitFor(exited, timeoutSeconds * 1000));
      }
      // Windows: a polite request may end the process and leave its children (nothing there ends a
      // process's descendants with it), so the forced tree step runs either way; descendants are
      // still found by the exited parent's pid (process-tree.ts)
      if (forced || o.os === 'windows') await signalTree(o.os, pid, true);
      if (forced && r.cgroup) await killCgroup(r.cgroup);
      // the shim records the exit; one that is gone (killed with the agent's host session) cannot
      if (!(await waitFor(() => existsSync(shimPaths(r.dir).exit), 10_000)) && !alive(f.state?.shimPid)) {
        writeJsonAtomic(shimPaths(r.dir).exit, {
          exitCode: forced ? 137 : 143,
          finishedAt: nowNs(),
          signal: forced ? 'SIGKILL' : 'SIGTERM',
        });
      }
    }
    if (o.os === 'linux' && pid) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* the group is empty */
      }
    }
    if (r.cgroup && (await cgroupPopulated(r.cgroup))) await killCgroup(r.cgroup);
  }

  async function remove(r: ContainerRecord): Promise<void> {
    await stop(r, 0);
    if (r.cgroup) await removeContainerCgroup(r.cgroup).catch((e: unknown) => log.warn('removing a container cgroup failed', { error: e }));
    await rm(r.dir, { recursive: true, force: true });
    containers.delete(r.id);
  }

  async function limitsFor(r: ContainerRecord, sb: SandboxRecord): Promise<void> {
    const asked = asksLinuxLimits(r.cfg.linux?.resources);
    if (o.os === 'windows') {
      const w = r.cfg.windows?.resources;
      if (w && ((w.cpuMaximum ?? 0) > 0 || (w.memoryLimitInBytes ?? 0) > 0 || (w.cpuCount ?? 0) > 0))
        r.unenforced =
          'the process runtime on Windows cannot put processes into job objects (Node.js has no API for them): cpu and memory limits are not enforced';
      return;
    }
    const l = await cgroupLayout();
    if (!l) {
      if (asked)
        r.unenforced = `there is no cgroup file system at ${o.cgroupMount ?? '/sys/fs/cgroup'}: cpu and memory limits are not enforced`;
      return;
    }
    const parent = sb.cfg.linux?.cgroupParent || `/tandem-process/pod${sb.cfg.uid || sb.id}`;
    try {
      r.cgroup = await createContainerCgroup(l, parent, r.id, sb.cfg.linux?.resources, r.cfg.linux?.resources);
      if (sb.cgroupParent !== parent) {
        sb.cgroupParent = parent;
        await saveSandbox(paths, sb);
      }
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      const hint = typeof process.getuid === 'function' && process.getuid() !== 0 ? ' (the agent is not running as root)' : '';
      if (asked) r.unenforced = `cgroups are not writable on this node${hint}: ${why}; cpu and memory limits are not enforced`;
      log.warn('process runtime: no cgroup for a container', { container: r.id, error: why });
    }
  }

  const rt: Runtime = {
    name: 'process',
    async version() {
      return { runtimeName: 'process', runtimeVersion: process.version, runtimeApiVersion: 'v1' };
    },
    async status() {
      return [
        { type: 'RuntimeReady', status: true, reason: '', message: '' },
        { type: 'NetworkReady', status: true, reason: '', message: 'pods share the host network' },
      ];
    },
    async runtimeHandlers() {
      return [{ name: 'process' }];
    },

    async runPodSandbox(cfg: SandboxConfig) {
      await loaded;
      const r: SandboxRecord = { id: newId(), cfg, createdAt: nowNs(), state: 'ready', ip: o.hostIPs?.[0] ?? firstHostIp() };
      await mkdir(cfg.logDirectory, { recursive: true });
      await saveSandbox(paths, r);
      sandboxes.set(r.id, r);
      return r.id;
    },
    async stopPodSandbox(id) {
      const sb = await sandbox(id);
      await Promise.all([...containers.values()].filter((c) => c.sandboxId === id).map((c) => stop(c, 0)));
      sb.state = 'notready';
      await saveSandbox(paths, sb);
    },
    async removePodSandbox(id) {
      await loaded;
      const sb = sandboxes.get(id);
      if (!sb) return;
      for (const c of [...containers.values()].filter((x) => x.sandboxId === id)) await remove(c);
      const l = await cgroupLayout();
      if (l && sb.cgroupParent) await removePodCgroup(l, sb.cgroupParent);
      await deleteSandbox(paths, id);
      sandboxes.delete(id);
    },
    async podSandboxStatus(id) {
      return sandboxStatus(await sandbox(id));
    },
    async listPodSandboxes(filter) {
      await loaded;
      return [...sandboxes.values()].filter((s) => matches(s.cfg.labels, filter?.labels)).map(sandboxStatus);
    },

    async createContainer(sandboxId, cfg) {
      const sb = await sandbox(sandboxId);
      if (sb.state !== 'ready') throw new Error(`pod sandbox ${sandboxId} is not ready`);
      const id = newId();
      const dir = join(paths.containers, id);
      const root = join(dir, 'root');
      try {
        const img = await o.images.unpack(cfg.image, root);
        const r: ContainerRecord = {
          id,
          sandboxId,
          cfg,
          createdAt: nowNs(),
          imageId: img.id,
          imageRef: img.ref,
          imageConfig: img.config,
          dir,
          root,
          logPath: join(sb.cfg.logDirectory, cfg.logPath),
        };
        const { copied } = await exposeMounts(o.os, root, cfg.mounts);
        for (const c of copied)
          log.warn('process runtime: a volume is a copied snapshot (links do not work here)', {
            container: `${sb.cfg.namespace}/${sb.cfg.name}/${cfg.name}`,
            path: c.containerPath,
            writable: c.writable,
          });
        await limitsFor(r, sb);
        await saveContainer(r);
        containers.set(id, r);
        return id;
      } catch (e) {
        await rm(dir, { recursive: true, force: true });
        throw e;
      }
    },
    async startContainer(id) {
      const r = await container(id);
      const files = shimPaths(r.dir);
      if (existsSync(files.state) || existsSync(files.exit)) throw new Error(`container ${id} was started already`);
      const fail = (message: string) => {
        writeJsonAtomic(files.exit, { exitCode: 128, finishedAt: nowNs(), message });
        return new Error(message);
      };
      let launch;
      try {
        launch = launchOf(o.os, r, process.env);
      } catch (e) {
        throw fail(e instanceof Error ? e.message : String(e));
      }
      if (launch.cwd.startsWith(r.root)) await mkdir(launch.cwd, { recursive: true });
      const spec: ShimSpec = {
        os: o.os,
        ...launch,
        logPath: r.logPath,
        cgroupProcs: r.cgroup?.procs ?? [],
        ...(r.cgroup ? { cgroup: { version: r.cgroup.version, dirs: r.cgroup.dirs } } : {}),
      };
      writeJsonAtomic(files.spec, spec);
      const shim = spawn(process.execPath, [SHIM, r.dir], { detached: true, stdio: 'ignore', windowsHide: true });
      shim.on('error', (e) => log.warn('process runtime: the shim failed', { container: id, error: e.message }));
      shim.unref();
      const reported = await waitFor(() => existsSync(files.state) || existsSync(files.exit), o.startTimeoutMs ?? 20_000);
      if (!reported) throw fail(`the shim of container ${id} did not report within ${(o.startTimeoutMs ?? 20_000) / 1000}s`);
      const st = containerStatus(r);
      if (st.reason === 'StartError') throw new Error(st.message);
    },
    async stopContainer(id, timeoutSeconds) {
      await stop(await container(id), timeoutSeconds);
    },
    async removeContainer(id) {
      await loaded;
      const r = containers.get(id);
      if (r) await remove(r);
    },
    async containerStatus(id) {
      return statusOf(await container(id));
    },
    async listContainers(filter) {
      await loaded;
      const out: ContainerStatus[] = [];
      for (const r of containers.values()) {
        if (filter?.sandboxId && r.sandboxId !== filter.sandboxId) continue;
        if (!matches(r.cfg.labels, filter?.labels)) continue;
        out.push(await statusOf(r));
      }
      return out;
    },
    async updateContainerResources(id, resources) {
      const r = await container(id);
      if (r.cgroup && resources.linux) await writeLimits(r.cgroup.dirs, resources.linux);
    },
    async reopenContainerLog(id) {
      const r = await container(id);
      if (!processFacts(r).running) throw new Error(`container ${id} is not running`);
      const req = shimPaths(r.dir).reopen;
      await writeFile(req, '');
      if (!(await waitFor(() => !existsSync(req), 5000))) throw new Error(`the shim of container ${id} did not reopen its log`);
    },
    async unenforcedLimits(id) {
      return (await container(id)).unenforced;
    },

    async execSync(id, cmd, timeoutSeconds) {
      const r = await container(id);
      if (!processFacts(r).running) throw new Error(`container ${id} is not running`);
      return execSync(o.os, r, cmd, timeoutSeconds);
    },
    async openStream(id, kind, cmd, opts) {
      const r = await container(id);
      if (!processFacts(r).running) throw new Error(`container ${id} is not running`);
      return openStream(o.os, r, kind, cmd, opts, () => statusOf(r));
    },
    exec() {
      return Promise.reject(new Error('the process runtime serves exec directly (openStream), not through a URL'));
    },
    attach() {
      return Promise.reject(new Error('the process runtime serves attach directly (openStream), not through a URL'));
    },
    portForward() {
      return Promise.reject(new Error('pods of the process runtime share the host network: port-forward dials the host, not a URL'));
    },

    async pullImage(image, auth) {
      return (await o.images.pull(image, auth)).ref;
    },
    async imageStatus(image): Promise<ImageInfo | undefined> {
      const p = await o.images.status(image);
      return p ? { id: p.id, repoTags: p.repoTags, repoDigests: p.repoDigests, size: p.size } : undefined;
    },
    async listImages() {
      return (await o.images.list()).map((p) => ({ id: p.id, repoTags: p.repoTags, repoDigests: p.repoDigests, size: p.size }));
    },
    async removeImage(image) {
      await o.images.remove(image);
    },

    async listContainerStats(filter) {
      await loaded;
      const running = [...containers.values()].filter(
        (r) => (!filter?.sandboxId || r.sandboxId === filter.sandboxId) && processFacts(r).running,
      );
      return Promise.all(running.map((r) => stats.read(r)));
    },

    async close() {
      // containers keep running under their shims: a new runtime over the same data dir adopts them
      await loaded;
    },
  };
  return rt;
}
