// Host facts for the Node object (capacity, nodeInfo, addresses) and the pressure conditions,
// read from the os module and /proc.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, statfs, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import { join } from 'node:path';
import type { HostInfo, PressureInfo } from '../common/platform.js';

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** `MemTotal:  24576000 kB` → bytes, for one key of /proc/meminfo. */
export function meminfoBytes(text: string, key: string): number | undefined {
  const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
  return m?.[1] ? Number(m[1]) * 1024 : undefined;
}

/** PRETTY_NAME of an os-release file, unquoted. */
export function prettyName(text: string): string | undefined {
  const m = /^PRETTY_NAME=(.*)$/m.exec(text);
  if (!m?.[1]) return undefined;
  return m[1].trim().replace(/^(["'])(.*)\1$/, '$2');
}

export function goArch(nodeArch: string): string {
  switch (nodeArch) {
    case 'x64':
      return 'amd64';
    case 'ia32':
      return '386';
    case 'arm':
      return 'arm';
    default:
      return nodeArch;
  }
}

/** The first non-internal IPv4 address, else loopback. */
export function internalIp(ifaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): string {
  for (const name of Object.keys(ifaces).sort()) {
    if (/^(cni|tdm|veth|docker|br-)/.test(name)) continue;
    for (const a of ifaces[name] ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

async function machineId(dataDir: string): Promise<string> {
  const sys = (await readText('/etc/machine-id'))?.trim();
  if (sys) return sys;
  const file = join(dataDir, 'machine-id');
  const own = (await readText(file))?.trim();
  if (own) return own;
  const id = randomBytes(16).toString('hex');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${id}\n`);
  return id;
}

export async function linuxHostInfo(dataDir: string): Promise<HostInfo> {
  const meminfo = (await readText('/proc/meminfo')) ?? '';
  const mid = await machineId(dataDir);
  await mkdir(dataDir, { recursive: true });
  const fs = await statfs(dataDir);
  const hostname = os.hostname();
  return {
    os: 'linux',
    arch: goArch(os.arch()),
    hostname,
    kernelVersion: os.release(),
    osImage: prettyName((await readText('/etc/os-release')) ?? '') ?? 'Linux',
    machineId: mid,
    systemUuid: (await readText('/sys/class/dmi/id/product_uuid'))?.trim() || mid,
    bootId: (await readText('/proc/sys/kernel/random/boot_id'))?.trim() ?? '',
    cpuCores: os.availableParallelism(),
    memoryBytes: meminfoBytes(meminfo, 'MemTotal') ?? os.totalmem(),
    ephemeralStorageBytes: fs.blocks * fs.bsize,
    addresses: [
      { type: 'InternalIP', address: internalIp() },
      { type: 'Hostname', address: hostname },
    ],
  };
}

const pressureThresholds = { memoryAvailableBytes: 100 * 1024 * 1024, diskFreeFraction: 0.1, pidFraction: 0.9 };

export async function linuxPressure(dataDir: string): Promise<PressureInfo> {
  const meminfo = (await readText('/proc/meminfo')) ?? '';
  const avail = meminfoBytes(meminfo, 'MemAvailable') ?? os.freemem();
  let disk = false;
  try {
    const fs = await statfs(dataDir);
    disk = fs.blocks > 0 && fs.bavail / fs.blocks < pressureThresholds.diskFreeFraction;
  } catch {
    /* data dir missing: no claim */
  }
  // /proc/loadavg's fourth field is runnable/total tasks (threads), the figure pid_max limits.
  const tasks = Number(/\d+\/(\d+)/.exec((await readText('/proc/loadavg')) ?? '')?.[1] ?? 0);
  const pidMax = Number((await readText('/proc/sys/kernel/pid_max'))?.trim() ?? 0);
  return {
    memory: avail < pressureThresholds.memoryAvailableBytes,
    disk,
    pid: pidMax > 0 && tasks / pidMax > pressureThresholds.pidFraction,
  };
}
