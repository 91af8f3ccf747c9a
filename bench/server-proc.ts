// Child processes under test: the tandem server (bin/tandem.js) and the no-op HTTPS server. Each is
// spawned with the same node binary, timed from spawn to its ready line, and stopped by its pid.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { cpuSeconds, rssMb } from './machine.js';
import type { Target } from './http-load.js';

/** repo root: dist/bench/ → ../.. */
export const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const TANDEM = join(REPO, 'bin', 'tandem.js');

export interface ServerProc {
  pid: number;
  target: Target;
  /** wall time from spawn() to the ready line */
  readyMs: number;
  /** the figure the server printed itself (tandem only) */
  reportedMs: number | undefined;
  rssMb(): number;
  /** VmHWM: the peak resident set so far */
  peakRssMb(): number;
  /** CPU seconds (user + system) used so far */
  cpuSeconds(): number;
  /** full GC in the child (through server-probe.js), then its memory figures */
  probe(): Promise<Probe | undefined>;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the time to exit and whether it was killed */
  stop(graceMs?: number): Promise<{ ms: number; killed: boolean }>;
}

export interface Probe {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  gc: boolean;
  /** the main isolate's V8 malloc'd memory outside its heap (MB) */
  malloced?: number;
  /** each worker thread's own isolate after its own full GC (server-probe.ts) */
  workers?: {
    thread: number;
    kind: string;
    heapUsed: number;
    heapTotal: number;
    external: number;
    arrayBuffers: number;
    malloced: number;
  }[];
  /** RSS minus every isolate's heap, external and malloc'd memory: SQLite, TLS, allocator arenas, code (MB) */
  native?: number;
}

export interface SpawnOptions {
  args: string[];
  readyPattern: RegExp;
  /** extra node flags (e.g. --cpu-prof) placed before the script */
  nodeFlags?: string[];
  timeoutMs?: number;
}

function waitExit(proc: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<{ ms: number; killed: boolean }> {
  const t0 = performance.now();
  return new Promise((res) => {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      res({ ms: 0, killed: false });
      return;
    }
    let killed = false;
    const kill = setTimeout(() => {
      killed = true;
      proc.kill('SIGKILL');
    }, graceMs);
    proc.once('exit', () => {
      clearTimeout(kill);
      res({ ms: performance.now() - t0, killed });
    });
    proc.kill(signal);
  });
}

/** Spawn `node [flags] args…` and resolve with the ready-line match and the wall time to it. */
export async function spawnUntilReady(
  o: SpawnOptions,
): Promise<{ proc: ChildProcess; match: RegExpExecArray; readyMs: number; output: () => string }> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...(o.nodeFlags ?? []), ...o.args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  let out = '';
  proc.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
    if (out.length > 1_000_000) out = out.slice(-500_000);
  });
  const { match, readyMs } = await new Promise<{ match: RegExpExecArray; readyMs: number }>((res, rej) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      rej(new Error(`not ready in ${o.timeoutMs ?? 30_000} ms:\n${out}`));
    }, o.timeoutMs ?? 30_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = o.readyPattern.exec(out);
      if (m) {
        const readyMs = performance.now() - t0;
        clearTimeout(timer);
        proc.off('exit', onExit);
        proc.stdout?.off('data', onData);
        res({ match: m, readyMs });
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      rej(new Error(`exited with ${code} before ready:\n${out}`));
    };
    proc.stdout?.on('data', onData);
    proc.once('exit', onExit);
  });
  // keep collecting output after the ready line (bounded: the head is dropped) for probes and error reports
  const keep = (c: Buffer) => {
    out += c.toString();
    if (out.length > 1_000_000) out = out.slice(-500_000);
  };
  proc.stdout?.on('data', keep);
  return { proc, match, readyMs, output: () => out };
}

/** Node flags that load server-probe.js (memory figures on SIGUSR2) into a child. */
export function probeFlags(): string[] {
  return ['--expose-gc', '--import', pathToFileURL(fileURLToPath(new URL('./server-probe.js', import.meta.url))).href];
}

/** How the load client reaches a Tandem server of `dataDir` at `url` (its CA and admin token). */
export function targetOf(dataDir: string, url: string): Target {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port),
    ca: readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8'),
    token: readFileSync(join(dataDir, 'pki', 'admin.token'), 'utf8').trim(),
  };
}

/** Asks a child started with probeFlags() for its memory figures (after a full GC); undefined on timeout. */
export function requestProbe(pid: number, output: () => string, timeoutMs = 5000): Promise<Probe | undefined> {
  const from = output().length;
  return new Promise((res) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      res(undefined);
    }, timeoutMs);
    const poll = setInterval(() => {
      const m = /bench-probe (\{.*\})\n/.exec(output().slice(from));
      if (m?.[1]) {
        clearTimeout(timer);
        clearInterval(poll);
        res(JSON.parse(m[1]) as Probe);
      }
    }, 20);
    process.kill(pid, 'SIGUSR2');
  });
}

/** `tandem server` on a free port in `dataDir`, with the probe (and a CPU profile when asked). */
export async function spawnTandemServer(dataDir: string, extraArgs: string[], cpuProfDir?: string) {
  // the web view off unless asked for: the figures are the API's, and parallel servers would race for its port
  const uiOff = extraArgs.includes('--ui-listen') ? [] : ['--ui-listen', 'none'];
  const args = [TANDEM, 'server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', ...uiOff, ...extraArgs];
  const nodeFlags = probeFlags();
  if (cpuProfDir) nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`);
  const r = await spawnUntilReady({ args, nodeFlags, readyPattern: /ready in (\d+) ms at (https:\/\/\S+)/ });
  return { ...r, target: targetOf(dataDir, r.match[2] ?? '') };
}

function wrap(proc: ChildProcess, target: Target, readyMs: number, reportedMs: number | undefined, output: () => string): ServerProc {
  const pid = proc.pid ?? -1;
  return {
    pid,
    target,
    readyMs,
    reportedMs,
    output,
    rssMb: () => rssMb(pid),
    peakRssMb: () => rssMb(pid, 'VmHWM'),
    cpuSeconds: () => cpuSeconds(pid),
    probe: () => requestProbe(pid, output),
    stop: (graceMs = 10_000) => waitExit(proc, 'SIGTERM', graceMs),
  };
}

export interface TandemOptions {
  dataDir: string;
  store?: 'sqlite' | 'memory';
  /**
   * `none`: the API server alone (`tandem server --controllers none`, what issue 2's figures are
   * about); `all` (default of the CLI): scheduler and controllers too; a list: only those components.
   */
  controllers?: 'none' | 'all' | readonly string[];
  /** write a V8 CPU profile into this directory when the server exits */
  cpuProfDir?: string;
}

export async function startTandem(o: TandemOptions): Promise<ServerProc> {
  const extra: string[] = [];
  if (o.controllers === 'none') extra.push('--controllers', 'none');
  else if (Array.isArray(o.controllers)) extra.push('--controllers', o.controllers.join(','));
  if (o.store) extra.push('--store', o.store);
  const r = await spawnTandemServer(o.dataDir, extra, o.cpuProfDir);
  return wrap(r.proc, r.target, r.readyMs, Number(r.match[1]), r.output);
}

/** The no-op HTTPS server (noop-server.js) using the certificate of an existing tandem data dir. */
export async function startNoop(pkiDir: string): Promise<ServerProc> {
  const script = fileURLToPath(new URL('./noop-server.js', import.meta.url));
  const r = await spawnUntilReady({
    args: [script, join(pkiDir, 'server.crt'), join(pkiDir, 'server.key')],
    readyPattern: /noop ready at (\d+)/,
  });
  const target: Target = { host: '127.0.0.1', port: Number(r.match[1]), ca: readFileSync(join(pkiDir, 'ca.crt'), 'utf8') };
  return wrap(r.proc, target, r.readyMs, undefined, r.output);
}
