// Child processes of the scheduler and cluster benchmarks: `tandem server` with a chosen set of
// control loops and store, and `tandem sim` fleets. Each is a separate node process, measured by pid.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { cpuSeconds, rssMb } from './machine.js';
import { spawnUntilReady, TANDEM, type Probe } from './server-proc.js';
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
    pid, readyMs, output,
    rssMb: () => rssMb(pid),
    peakRssMb: () => rssMb(pid, 'VmHWM'),
    cpuSeconds: () => cpuSeconds(pid),
    stop: (graceMs = 15_000) => new Promise<void>((res) => {
      if (proc.exitCode !== null || proc.signalCode !== null) { res(); return; }
      const kill = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      proc.once('exit', () => { clearTimeout(kill); res(); });
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
  const args = [TANDEM, 'server', '--data-dir', o.dataDir, '--listen', '127.0.0.1:0', '--store', o.store];
  if (o.controllers) args.push('--controllers', o.controllers);
  const probe = fileURLToPath(new URL('./server-probe.js', import.meta.url));
  const nodeFlags = ['--expose-gc', '--import', pathToFileURL(probe).href];
  if (o.cpuProfDir) nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`);
  const r = await spawnUntilReady({ args, nodeFlags, readyPattern: /ready in (\d+) ms at (https:\/\/\S+)/ });
  const url = new URL(r.match[2] ?? '');
  const target: Target = {
    host: url.hostname, port: Number(url.port),
    ca: readFileSync(join(o.dataDir, 'pki', 'ca.crt'), 'utf8'),
    token: readFileSync(join(o.dataDir, 'pki', 'admin.token'), 'utf8').trim(),
  };
  const c = child(r.proc, r.readyMs, r.output);
  return {
    ...c, target, dataDir: o.dataDir,
    probe: () => new Promise<Probe | undefined>((res) => {
      const before = r.output().length;
      const timer = setTimeout(() => { clearInterval(poll); res(undefined); }, 10_000);
      const poll = setInterval(() => {
        const text = r.output();
        const m = /bench-probe (\{.*\})\n/.exec(text.slice(text.length >= before ? before : 0));
        if (m?.[1]) { clearTimeout(timer); clearInterval(poll); res(JSON.parse(m[1]) as Probe); }
      }, 20);
      r.proc.kill('SIGUSR2');
    }),
  };
}

/** `tandem sim --kubeconfig DIR/kubeconfig …`, resolved at its ready line. */
export async function startSimChild(dataDir: string, args: string[], timeoutMs = 180_000): Promise<Child> {
  const r = await spawnUntilReady({
    args: [TANDEM, 'sim', '--kubeconfig', join(dataDir, 'kubeconfig'), ...args],
    readyPattern: /tandem sim ready/, timeoutMs,
  });
  return child(r.proc, r.readyMs, r.output);
}
