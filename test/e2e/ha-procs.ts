// Processes of the high-availability end-to-end test (issue 17): `tandem server`s on one etcd
// cluster (the first one started plainly, the second one joined to it), `tandem sim` fleets, and
// readers of what the control plane agrees on (the leader Lease, node readiness) through kubectl.
// Every wait has a deadline and fails with what it saw last.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBECTL, startTandem, TANDEM, type RunResult, type TandemProcess } from './harness.js';
import { at } from './kubectl-support.js';

const LEADER_LEASE = 'tandem-control-plane';

const show = (r: RunResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `tandem ARGS` to completion. */
function tandemCli(args: string[], timeoutMs = 60_000): RunResult {
  const r = spawnSync(process.execPath, [TANDEM, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export interface HaServerOptions {
  /** `etcd://…` */
  store: string;
  dataDir?: string;
  /** `127.0.0.1:PORT` to come back on the same address (default: a free port) */
  listen?: string;
  /** more `tandem server` flags (e.g. `--join URL --token T`) */
  args?: string[];
  env?: Record<string, string>;
}

/**
 * `tandem server --store etcd://…` on loopback, without cluster DNS (two servers on one host
 * would both want its port). The data dir is kept when the process stops or dies, so the server
 * can be started again on it; removing it is the caller's.
 */
export function startHaServer(o: HaServerOptions): Promise<TandemProcess> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'tandem-ha-'));
  return startTandem({
    dataDir,
    keepDataDir: true,
    env: o.env ?? {},
    args: ['--store', o.store, '--cluster-dns-listen', 'none', ...(o.listen ? ['--listen', o.listen] : []), ...(o.args ?? [])],
  });
}

/** The join flags (`--join URL --token T --certificate-key K --ca-cert-hash H`) in `tandem token create --control-plane`'s output. */
function parseJoinFlags(out: string): string[] | undefined {
  const text = out.replace(/\\\n\s*/g, ' ');
  const flags: string[] = [];
  for (const f of ['join', 'token', 'certificate-key', 'ca-cert-hash']) {
    const v = new RegExp(`--${f}[ =](\\S+)`).exec(text)?.[1];
    if (v === undefined) return undefined;
    flags.push(`--${f}`, v);
  }
  return flags;
}

/**
 * A second server on the same store, joined as an operator does: `tandem token create
 * --control-plane` on A, then `tandem server --join …` with the flags it printed (its own data dir;
 * the cluster's keys fetched from A, sealed).
 */
export async function startJoinedServer(a: TandemProcess, store: string, env: Record<string, string>): Promise<TandemProcess> {
  const r = tandemCli(['token', 'create', '--control-plane', '--data-dir', a.dataDir]);
  assert.equal(r.code, 0, `tandem token create --control-plane should succeed\n${show(r)}`);
  const flags = parseJoinFlags(r.stdout + r.stderr);
  assert.ok(flags, `tandem token create --control-plane printed no --join/--token/--certificate-key/--ca-cert-hash:\n${show(r)}`);
  return startHaServer({ store, env, args: flags });
}

/**
 * `kubectl ARGS` against `srv`, without blocking this process: the writer and the informers run in
 * it, and a synchronous kubectl would stall them (and the timings) for its whole run.
 */
function kubectl(srv: TandemProcess, args: string[], o: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(KUBECTL, args, {
      env: { ...process.env, HOME: srv.home, KUBECONFIG: srv.kubeconfig },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(o.input ?? '');
  });
}

/** `kubectl ARGS` against `srv`, asserting success. */
export async function kc(srv: TandemProcess, args: string[], input?: string): Promise<RunResult> {
  const r = await kubectl(srv, args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} (against ${srv.url}) should succeed\n${show(r)}`);
  return r;
}

/** `kubectl get ARGS -o json` against `srv`, parsed (asserting success). */
export async function kjson(srv: TandemProcess, args: string[]): Promise<Record<string, unknown>> {
  return JSON.parse((await kc(srv, [...args, '-o', 'json'])).stdout) as Record<string, unknown>;
}

/** The items of `kubectl get ARGS -o json`. */
export async function kitems(srv: TandemProcess, args: string[]): Promise<Record<string, unknown>[]> {
  return (at(await kjson(srv, args), 'items') as Record<string, unknown>[] | undefined) ?? [];
}

/** The leader Lease as `srv` answers it: its holder ('' when released) and acquireTime (ms), or undefined when unreadable. */
export async function leaderLease(srv: TandemProcess): Promise<{ holder: string; acquiredAt: number } | undefined> {
  const r = await kubectl(srv, ['get', 'lease', '-n', 'kube-system', LEADER_LEASE, '-o', 'json'], { timeoutMs: 10_000 });
  if (r.code !== 0) return undefined;
  const lease = JSON.parse(r.stdout) as unknown;
  return {
    holder: String(at(lease, 'spec', 'holderIdentity') ?? ''),
    acquiredAt: Date.parse(String(at(lease, 'spec', 'acquireTime') ?? '')),
  };
}

/** The leader identities a server logged (`leading: components started identity=…`), in order. */
export function ledAs(srv: TandemProcess): string[] {
  return [...srv.output().matchAll(/leading: components started identity=(\S+)/g)].map((m) => m[1] ?? '');
}

/** Polls `check` until it returns a value other than undefined/false, or fails with `what` and the last `detail()`. */
export async function until<T>(
  what: string,
  ms: number,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  detail?: () => string | Promise<string>,
  every = 250,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    let v: T | undefined | false;
    let err = '';
    try {
      v = await check();
    } catch (e) {
      err = e instanceof Error ? e.message : String(e);
    }
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) {
      const more = detail ? await Promise.resolve(detail()).catch((e: unknown) => `(no detail: ${String(e)})`) : '';
      assert.fail(`timed out after ${ms} ms waiting for ${what}${err ? `\nlast error: ${err}` : ''}${more ? `\n${more}` : ''}`);
    }
    await sleep(every);
  }
}

/** node name → Ready condition status ('True', 'False', 'Unknown'). */
export async function nodeReadiness(srv: TandemProcess): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  for (const n of await kitems(srv, ['get', 'nodes'])) {
    const conds = (at(n, 'status', 'conditions') as { type: string; status: string }[] | undefined) ?? [];
    m.set(String(at(n, 'metadata', 'name')), conds.find((c) => c.type === 'Ready')?.status ?? 'missing');
  }
  return m;
}

export interface SimFleet {
  args: string[];
  output(): string;
  stop(): Promise<void>;
}

function waitExit(p: ChildProcess, sig: NodeJS.Signals): Promise<void> {
  return new Promise((res) => {
    if (p.exitCode !== null || p.signalCode !== null) {
      res();
      return;
    }
    p.once('exit', () => res());
    p.kill(sig);
  });
}

/** `tandem sim --kubeconfig K ARGS`, resolved once it printed its ready line. */
export async function startSimFleet(kubeconfig: string, args: string[]): Promise<SimFleet> {
  const proc = spawn(process.execPath, [TANDEM, 'sim', '--kubeconfig', kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const add = (c: Buffer) => {
    out += c.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
  };
  proc.stdout.on('data', add);
  proc.stderr.on('data', add);
  try {
    await until(
      `tandem sim ${args.join(' ')} to be ready`,
      30_000,
      () => {
        if (proc.exitCode !== null) throw new Error(`tandem sim exited with ${proc.exitCode}:\n${out}`);
        return /tandem sim ready/.test(out);
      },
      () => out,
      100,
    );
  } catch (e) {
    await waitExit(proc, 'SIGKILL');
    throw e;
  }
  return { args, output: () => out, stop: () => waitExit(proc, 'SIGTERM') };
}

/** Stops a server: SIGTERM, SIGKILL if it has not exited within 10 s (shutdown is not what these tests are about). */
export async function stopServer(srv: TandemProcess | undefined): Promise<void> {
  if (!srv || srv.proc.exitCode !== null || srv.proc.signalCode !== null) return;
  let timer: NodeJS.Timeout | undefined;
  const graceful = await Promise.race([
    new Promise<boolean>((r) => {
      srv.proc.once('exit', () => r(true));
      srv.proc.kill('SIGTERM');
    }),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), 10_000);
    }),
  ]);
  clearTimeout(timer);
  if (!graceful) await srv.kill();
}
