// The Platform for Linux hosts: host facts, pressure, pod cgroups (cgroupfs driver) and a private,
// supervised containerd with a CNI bridge network.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { nullLogger, type Logger } from '../../../base/log.js';
import type { Platform } from '../common/platform.js';
import { podCgroupParent, removePodCgroups } from './cgroups.js';
import { bridgeName, writeContainerdFiles } from './containerd-config.js';
import { superviseContainerd, type SupervisedContainerd } from './containerd-supervisor.js';
import { linuxHostInfo, linuxPressure } from './host-info.js';
import { guardPodCidr } from './pod-cidr-guard.js';

const run = promisify(execFile);

export interface LinuxPlatformOptions {
  /** the agent's data dir: machine-id fallback, ephemeral storage, containerd under DATA/containerd */
  dataDir: string;
  /** top cgroup of all pods, default `tandem` */
  cgroupRoot?: string;
  /** sandbox (pause) image containerd uses, default `docker.io/tandem/pause:1` */
  sandboxImage?: string;
  /** an OCI archive imported into the instance (namespace k8s.io) after start, e.g. the pause image */
  pauseImageArchive?: string;
  /** registry host → plain-HTTP endpoint, written as certs.d/<host>/hosts.toml */
  registryMirrors?: Record<string, string>;
  containerdBin?: string;
  cniBinDir?: string;
  /** the platform's lines (containerd's start, exits and restarts) */
  log?: Logger;
}

const defaultSandboxImage = 'docker.io/tandem/pause:1';

export interface LinuxPlatform extends Platform {
  startRuntime(opts: { dataDir: string; podCidr: string }): Promise<SupervisedContainerd | undefined>;
  /** cgroupParent: a parent outside this platform's root (the raw CRI benchmark names its own) */
  cleanupPod(podUid: string, cgroupParent?: string): Promise<void>;
  /** deletes the instance's CNI bridge (node teardown, tests) */
  removeNetwork(dataDir: string): Promise<void>;
}

function onPath(cmd: string): boolean {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin'];
  return dirs.some((d) => {
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** What a private containerd needs and is missing here (empty when everything is installed). */
export function missingRuntimeTools(cniBinDir = '/usr/lib/cni'): string[] {
  const missing: string[] = [];
  if (!onPath('containerd')) missing.push('containerd');
  if (!onPath('runc')) missing.push('runc');
  for (const p of ['bridge', 'host-local', 'portmap', 'loopback']) {
    if (!existsSync(join(cniBinDir, p))) missing.push(`CNI plugin ${p} (containernetworking-plugins in ${cniBinDir})`);
  }
  return missing;
}

/** Why this Linux host cannot run pods (tools missing, not root), with the fix; undefined when it can. */
export function linuxUnavailableReason(cniBinDir?: string): string | undefined {
  const missing = missingRuntimeTools(cniBinDir);
  if (missing.length) return `missing ${missing.join(', ')} (on Debian: apt-get install containerd runc containernetworking-plugins)`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'running pods needs root (containerd, cgroups and CNI)';
  return undefined;
}

/** `ctr images import` into the CRI namespace of a private instance. */
async function importImageArchive(socket: string, archive: string): Promise<void> {
  await run('ctr', ['--address', socket, '-n', 'k8s.io', 'images', 'import', archive], { timeout: 120_000 });
}

export async function removeBridge(dataDir: string): Promise<void> {
  try {
    await run('ip', ['link', 'del', bridgeName(dataDir)]);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (!/Cannot find device|does not exist/.test(msg)) throw e;
  }
}

export function createLinuxPlatform(o: LinuxPlatformOptions): LinuxPlatform {
  const cgroupRoot = o.cgroupRoot ?? 'tandem';
  const cniBinDir = o.cniBinDir ?? '/usr/lib/cni';
  const log = o.log ?? nullLogger;
  return {
    hostInfo: () => linuxHostInfo(o.dataDir),
    pressure: () => linuxPressure(o.dataDir),
    whyUnavailable: () => linuxUnavailableReason(cniBinDir),
    podResourceParent: (podUid, qosClass) => podCgroupParent(cgroupRoot, podUid, qosClass),
    // the pod's QoS class may be unknown here (an orphan): every class's parent is tried
    async cleanupPod(podUid, cgroupParent) {
      const parents = cgroupParent
        ? [cgroupParent]
        : ['Guaranteed', 'Burstable', 'BestEffort'].map((q) => podCgroupParent(cgroupRoot, podUid, q));
      for (const p of parents) await removePodCgroups(p);
    },
    async startRuntime({ dataDir, podCidr }) {
      const missing = missingRuntimeTools(cniBinDir);
      if (missing.length) {
        log.warn(`not starting containerd: missing ${missing.join(', ')}`);
        return undefined;
      }
      // a range routed elsewhere is refused before anything is written; a stale address of this data dir's bridge goes
      if (podCidr) {
        const removed = await guardPodCidr(podCidr, bridgeName(dataDir));
        if (removed.length) log.info(`removed stale addresses from bridge ${bridgeName(dataDir)} (an earlier pod range)`, { removed });
      }
      const layout = await writeContainerdFiles(dataDir, podCidr, {
        sandboxImage: o.sandboxImage ?? defaultSandboxImage,
        cniBinDir,
        ...(o.registryMirrors ? { registryMirrors: o.registryMirrors } : {}),
      });
      const rt = await superviseContainerd({
        layout,
        log: log.child('containerd'),
        ...(o.containerdBin ? { containerdBin: o.containerdBin } : {}),
      });
      if (o.pauseImageArchive) {
        try {
          await importImageArchive(layout.socket, o.pauseImageArchive);
        } catch (e) {
          await rt.stop();
          throw e;
        }
      }
      return rt;
    },
    removeNetwork: removeBridge,
  };
}
