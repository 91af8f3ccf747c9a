// Child processes of the scheduler and cluster benchmarks: `tandem server` with a chosen set of
// control loops and store, and `tandem sim` fleets. Each is a separate node process, measured by pid.

import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { cpuSeconds, rssMb } from './machine.js';
import { requestProbe, spawnTandemServer, spawnUntilReady, TANDEM, type Probe } from './server-proc.js';
import type { Target } from './http-load.js';

export interface Child {
  pid: number;
  readyMs: number;
  rssMb(): number;
  peakRssMb(): number;
  cpuSeconds(): number;
  output(): string;
  stop(graceMs?: number): Promise<void>;
}

export interface ServerChild extends Child {
  target: Target;
  dataDir: string;
  /** full GC in the child (bench/server-probe.js), then its memory figures */
  probe(): Promise<Probe | undefined>;
}

function child(proc: ChildProcess, readyMs: number, output: () => string): Child {
  const pid = proc.pid ?? -1;
  return {
    pid,
    readyMs,
    output,
    rssMb: () => rssMb(pid),
    peakRssMb: () => rssMb(pid, 'VmHWM'),
    cpuSeconds: () => cpuSeconds(pid),
    stop: (graceMs = 15_000) =>
      new Promise<void>((res) => {
        if (proc.exitCode !== null || proc.signalCode !== null) {
          res();
          return;
        }
        const kill = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        proc.once('exit', () => {
          clearTimeout(kill);
          res();
        });
        proc.kill('SIGTERM');
      }),
  };
}

export interface ServerChildOptions {
  dataDir: string;
  store: 'memory' | 'sqlite';
  /** `--controllers` value (default: all) */
  controllers?: string;
  /** write a V8 CPU profile into this directory when the server exits */
  cpuProfDir?: string;
}

export async function startServerChild(o: ServerChildOptions): Promise<ServerChild> {
  const r = await spawnTandemServer(
    o.dataDir,
    ['--store', o.store, ...(o.controllers ? ['--controllers', o.controllers] : [])],
    o.cpuProfDir,
  );
  const c = child(r.proc, r.readyMs, r.output);
  return { ...c, target: r.target, dataDir: o.dataDir, probe: () => requestProbe(r.proc.pid ?? -1, r.output, 10_000) };
}

/** `tandem sim --kubeconfig DIR/kubeconfig …`, resolved at its ready line. */
export async function startSimChild(dataDir: string, args: string[], timeoutMs = 180_000): Promise<Child> {
  const r = await spawnUntilReady({
    args: [TANDEM, 'sim', '--kubeconfig', join(dataDir, 'kubeconfig'), ...args],
    readyPattern: /tandem sim ready/,
    timeoutMs,
  });
  return child(r.proc, r.readyMs, r.output);
}
