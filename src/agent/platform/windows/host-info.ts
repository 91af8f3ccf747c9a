// Host facts of a Windows node for the Node object (nodeInfo, capacity, addresses, the windows-build
// label) and its pressure conditions, from the os module and the registry: Windows has no /proc, and
// the kubelet reads the same registry values (the full version with the monthly revision, the product
// name, the machine GUID).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, statfs, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import { join } from 'node:path';
import type { HostInfo, PressureInfo } from '../common/platform.js';
import { readRegistryKey, regNumber, regString, type RegValue } from './registry.js';

const CURRENT_VERSION_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion';
const CRYPTOGRAPHY_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Cryptography';

/** `10.0.20348` (os.release() on Windows) from any version string with at least three parts. */
export function majorMinorBuildOf(version: string): string | undefined {
  return /^(\d+\.\d+\.\d+)/.exec(version.trim())?.[1];
}

/**
 * The full version `major.minor.build.revision` (e.g. 10.0.20348.2031), as the kubelet reports it for
 * kernelVersion: major/minor from CurrentMajor/MinorVersionNumber (Windows 10 and later) or the
 * release, the build from CurrentBuildNumber (or CurrentBuild), the revision from UBR. Parts the
 * registry lacks come from the release, so the answer is never worse than os.release().
 */
export function fullWindowsVersion(values: Map<string, RegValue>, release: string): string {
  const rel = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release.trim());
  const major = regNumber(values, 'CurrentMajorVersionNumber') ?? (rel?.[1] ? Number(rel[1]) : undefined);
  const minor = regNumber(values, 'CurrentMinorVersionNumber') ?? (rel?.[2] ? Number(rel[2]) : undefined);
  const build = regNumber(values, 'CurrentBuildNumber') ?? regNumber(values, 'CurrentBuild') ?? (rel?.[3] ? Number(rel[3]) : undefined);
  if (major === undefined || minor === undefined || build === undefined) return release;
  const ubr = regNumber(values, 'UBR');
  return ubr === undefined ? `${major}.${minor}.${build}` : `${major}.${minor}.${build}.${ubr}`;
}

export function windowsArch(nodeArch: string): string {
  return nodeArch === 'x64' ? 'amd64' : nodeArch === 'ia32' ? '386' : nodeArch;
}

/**
 * The node's InternalIP: the first non-internal IPv4, by interface name. Hyper-V virtual adapters
 * (`vEthernet (...)`) come last: the default NAT switch's address is not reachable from other hosts,
 * although with an external switch the host's own address does live on a vEthernet adapter.
 */
export function windowsInternalIp(ifaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): string {
  const names = Object.keys(ifaces).sort(
    (a, b) => Number(a.startsWith('vEthernet')) - Number(b.startsWith('vEthernet')) || a.localeCompare(b),
  );
  for (const name of names) for (const a of ifaces[name] ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

/**
 * An id that stays the same for one boot and changes with the next: Windows has no boot_id file, so
 * it is derived from the boot time (now − uptime, rounded to a minute so that clock reads and
 * scheduling jitter do not move it) and the machine, shaped like a UUID as Linux's is.
 */
export function bootIdFrom(machineId: string, nowMs: number, uptimeSeconds: number): string {
  const bootMinute = Math.round((nowMs / 1000 - uptimeSeconds) / 60);
  const h = createHash('sha256').update(`${machineId}/${bootMinute}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The registry's machine GUID, else an id the agent keeps in its data dir. */
async function machineId(dataDir: string): Promise<string> {
  const guid = regString(await readRegistryKey(CRYPTOGRAPHY_KEY), 'MachineGuid');
  if (guid) return guid;
  const file = join(dataDir, 'machine-id');
  const own = await readFile(file, 'utf8').then(
    (s) => s.trim(),
    () => '',
  );
  if (own) return own;
  const id = randomBytes(16).toString('hex');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${id}\n`);
  return id;
}

/** statfs of the data dir (libuv answers it with GetDiskFreeSpaceEx on Windows); undefined when it fails. */
async function diskOf(dataDir: string): Promise<{ total: number; free: number } | undefined> {
  try {
    const s = await statfs(dataDir);
    return { total: s.blocks * s.bsize, free: s.bavail * s.bsize };
  } catch {
    return undefined;
  }
}

export async function windowsHostInfo(dataDir: string): Promise<HostInfo> {
  await mkdir(dataDir, { recursive: true });
  const [cv, mid, disk] = await Promise.all([readRegistryKey(CURRENT_VERSION_KEY), machineId(dataDir), diskOf(dataDir)]);
  const release = os.release();
  const hostname = os.hostname();
  return {
    os: 'windows',
    arch: windowsArch(os.arch()),
    hostname,
    kernelVersion: fullWindowsVersion(cv, release),
    osImage: regString(cv, 'ProductName') ?? os.version(),
    windowsBuild: majorMinorBuildOf(release) ?? release,
    machineId: mid,
    // the SMBIOS UUID needs WMI (wmic is deprecated, PowerShell is heavy); the machine GUID is stable too
    systemUuid: mid,
    bootId: bootIdFrom(mid, Date.now(), os.uptime()),
    cpuCores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    // 0 (no ephemeral-storage capacity) only if the volume cannot be asked, which Windows always answers
    ephemeralStorageBytes: disk?.total ?? 0,
    addresses: [
      { type: 'InternalIP', address: windowsInternalIp() },
      { type: 'Hostname', address: hostname },
    ],
  };
}

const thresholds = { memoryAvailableBytes: 100 * 1024 * 1024, diskFreeFraction: 0.1 };

/** Memory and disk pressure; PID pressure is not measured on Windows (neither does the kubelet). */
export async function windowsPressure(dataDir: string): Promise<PressureInfo> {
  const disk = await diskOf(dataDir);
  return {
    memory: os.freemem() < thresholds.memoryAvailableBytes,
    disk: disk !== undefined && disk.total > 0 && disk.free / disk.total < thresholds.diskFreeFraction,
    pid: false,
  };
}
