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

export interface Probe { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; gc: boolean }

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
    if (proc.exitCode !== null || proc.signalCode !== null) { res({ ms: 0, killed: false }); return; }
    let killed = false;
    const kill = setTimeout(() => { killed = true; proc.kill('SIGKILL'); }, graceMs);
    proc.once('exit', () => { clearTimeout(kill); res({ ms: performance.now() - t0, killed }); });
    proc.kill(signal);
  });
}

/** Spawn `node [flags] args…` and resolve with the ready-line match and the wall time to it. */
export async function spawnUntilReady(o: SpawnOptions): Promise<{ proc: ChildProcess; match: RegExpExecArray; readyMs: number; output: () => string }> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...(o.nodeFlags ?? []), ...o.args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  let out = '';
  proc.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
    if (out.length > 1_000_000) out = out.slice(-500_000);
  });
  const { match, readyMs } = await new Promise<{ match: RegExpExecArray; readyMs: number }>((res, rej) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); rej(new Error(`not ready in ${o.timeoutMs ?? 30_000} ms:\n${out}`)); }, o.timeoutMs ?? 30_000);
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
    const onExit = (code: number | null) => { clearTimeout(timer); rej(new Error(`exited with ${code} before ready:\n${out}`)); };
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

function wrap(proc: ChildProcess, target: Target, readyMs: number, reportedMs: number | undefined, output: () => string): ServerProc {
  const pid = proc.pid ?? -1;
  return {
    pid, target, readyMs, reportedMs, output,
    rssMb: () => rssMb(pid),
    peakRssMb: () => rssMb(pid, 'VmHWM'),
    cpuSeconds: () => cpuSeconds(pid),
    probe: () => new Promise<Probe | undefined>((res) => {
      const before = output().length;
      const timer = setTimeout(() => { clearInterval(poll); res(undefined); }, 5000);
      const poll = setInterval(() => {
        const text = output();
        const m = /bench-probe (\{.*\})\n/.exec(text.slice(text.length >= before ? before : 0));
        if (m?.[1]) { clearTimeout(timer); clearInterval(poll); res(JSON.parse(m[1]) as Probe); }
      }, 20);
      proc.kill('SIGUSR2');
    }),
    stop: (graceMs = 10_000) => waitExit(proc, 'SIGTERM', graceMs),
  };
}

export interface TandemOptions {
  dataDir: string;
  store?: 'sqlite' | 'memory';
  /**
   * `none`: the API server alone (`tandem server --controllers none`, what issue 2's figures are
   * about); `all` (default of the CLI): scheduler and controllers too.
   */
  controllers?: 'none' | 'all';
  /** write a V8 CPU profile into this directory when the server exits */
  cpuProfDir?: string;
}

export async function startTandem(o: TandemOptions): Promise<ServerProc> {
  const args = [TANDEM, 'server', '--data-dir', o.dataDir, '--listen', '127.0.0.1:0'];
  if (o.controllers === 'none') args.push('--controllers', 'none');
  if (o.store) args.push('--store', o.store);
  const probe = fileURLToPath(new URL('./server-probe.js', import.meta.url));
  const nodeFlags = ['--expose-gc', '--import', pathToFileURL(probe).href];
  if (o.cpuProfDir) nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`);
  const r = await spawnUntilReady({ args, nodeFlags, readyPattern: /ready in (\d+) ms at (https:\/\/\S+)/ });
  const url = new URL(r.match[2] ?? '');
  const target: Target = {
    host: url.hostname,
    port: Number(url.port),
    ca: readFileSync(join(o.dataDir, 'pki', 'ca.crt'), 'utf8'),
    token: readFileSync(join(o.dataDir, 'pki', 'admin.token'), 'utf8').trim(),
  };
  return wrap(r.proc, target, r.readyMs, Number(r.match[1]), r.output);
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
