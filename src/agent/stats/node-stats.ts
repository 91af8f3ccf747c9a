// Host CPU and memory figures for the node part of the stats summary. CPU comes from os.cpus()
// (which reads /proc/stat on Linux and the performance counters on Windows); memory from
// /proc/meminfo when present (working set = total - available), else from os.totalmem/freemem.

import { cpus, freemem, totalmem } from 'node:os';
import { readFile } from 'node:fs/promises';

export interface CpuSample {
  timeNs: number;
  usageCoreNanoSeconds: number;
}
export interface NodeMemory {
  availableBytes: number;
  usageBytes: number;
  workingSetBytes: number;
  rssBytes: number;
}

export function sampleCpu(now: () => number = () => Date.now()): CpuSample {
  let ms = 0;
  for (const c of cpus()) ms += c.times.user + c.times.nice + c.times.sys + c.times.irq;
  return { timeNs: now() * 1e6, usageCoreNanoSeconds: Math.round(ms * 1e6) };
}

/** Nanocores between two samples (0 when they are not in order). */
export function nanoCores(a: CpuSample, b: CpuSample): number {
  const dt = b.timeNs - a.timeNs;
  const du = b.usageCoreNanoSeconds - a.usageCoreNanoSeconds;
  return dt > 0 && du >= 0 ? Math.round((du / dt) * 1e9) : 0;
}

/** Parses /proc/meminfo text (values in kB) into bytes by key. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]) * (line.includes('kB') ? 1024 : 1));
  }
  return out;
}

export async function nodeMemory(meminfoPath = '/proc/meminfo'): Promise<NodeMemory> {
  const text = await readFile(meminfoPath, 'utf8').catch(() => undefined);
  if (text) {
    const m = parseMeminfo(text);
    const total = m.get('MemTotal') ?? totalmem();
    const available = m.get('MemAvailable') ?? m.get('MemFree') ?? freemem();
    const free = m.get('MemFree') ?? available;
    const ws = Math.max(0, total - available);
    return { availableBytes: available, usageBytes: Math.max(0, total - free), workingSetBytes: ws, rssBytes: ws };
  }
  const total = totalmem();
  const free = freemem();
  return { availableBytes: free, usageBytes: total - free, workingSetBytes: total - free, rssBytes: total - free };
}
