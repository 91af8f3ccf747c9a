// A one-line description of the machine the figures were measured on.

import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, totalmem, release, platform, loadavg } from 'node:os';
import { resolve } from 'node:path';

export interface MachineInfo {
  cpu: string;
  cores: number;
  ramGb: number;
  node: string;
  kernel: string;
  fs: string;
  load: string;
}

/** Filesystem type and device of the mount holding `path` (longest matching mount point). */
function filesystemOf(path: string): string {
  try {
    const abs = resolve(path);
    let best = { mnt: '', text: 'unknown' };
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [dev, mnt, type] = line.split(' ');
      if (!dev || !mnt || !type) continue;
      const inside = abs === mnt || abs.startsWith(mnt.endsWith('/') ? mnt : `${mnt}/`);
      if (inside && mnt.length >= best.mnt.length) best = { mnt, text: `${type} (${dev} on ${mnt})` };
    }
    return best.text;
  } catch {
    return 'unknown';
  }
}

export function describeMachine(dataPath: string): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    ramGb: totalmem() / 2 ** 30,
    node: process.version,
    kernel: `${platform()} ${release()}`,
    fs: filesystemOf(dataPath),
    load: loadText(),
  };
}

/** VmRSS (or VmHWM, the peak) of a live process in MB (from /proc/<pid>/status), NaN when unreadable. */
export function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** 1/5/15-minute load averages (other work on the box skews every figure). */
export function loadText(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');
}

let clkTck = 0;
/** CPU seconds (user + system) used so far by a live process, NaN when unreadable. */
export function cpuSeconds(pid: number): number {
  try {
    if (clkTck === 0) {
      try {
        clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
      } catch {
        clkTck = 100;
      }
    }
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / clkTck;
  } catch {
    return Number.NaN;
  }
}
