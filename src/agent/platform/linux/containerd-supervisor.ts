// k3s-style supervision of a private containerd: started in its own session (pods keep running
// when the agent goes), restarted with back-off when it dies, stopped with SIGTERM and awaited.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { Logger } from '../../../base/log.js';
import type { ManagedRuntime } from '../common/platform.js';
import type { ContainerdLayout } from './containerd-config.js';
import { criVersion } from './cri-probe.js';

export interface SupervisorOptions {
  layout: ContainerdLayout;
  containerdBin?: string;
  log: Logger;
  /** how long to wait for the first successful Version call, default 30 s */
  startTimeoutMs?: number;
}

export interface SupervisedContainerd extends ManagedRuntime {
  readonly pid: number | undefined;
  readonly restarts: number;
  /** the containerd version the last readiness check saw */
  readonly version: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await sleep(50);
  }
  return !alive(pid);
}

/** A containerd left running by a previous agent (crash) on the same config: stop it first (pitfall 7: the old one removes the socket as it exits). */
async function stopStale(l: ContainerdLayout, log: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(l.pidFile, 'utf8')).trim());
  } catch {
    return;
  }
  if (!pid || !alive(pid)) return;
  let cmd = '';
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!cmd.includes('containerd') || !cmd.includes(l.config)) return;
  log.info('stopping the containerd left running', { pid });
  process.kill(pid, 'SIGTERM');
  if (!(await waitGone(pid, 15_000))) {
    process.kill(pid, 'SIGKILL');
    await waitGone(pid, 5_000);
  }
}

function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export async function superviseContainerd(o: SupervisorOptions): Promise<SupervisedContainerd> {
  const { layout: l, log } = o;
  const bin = o.containerdBin ?? 'containerd';
  await stopStale(l, log);
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let version = '';
  let exited: Promise<void> = Promise.resolve();

  const launch = (): ChildProcess => {
    const fd = openSync(l.log, 'a');
    // detached = setsid(): a signal to the agent's process group does not reach containerd.
    const c = spawn(bin, ['--config', l.config], { detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child = c;
    exited = new Promise((resolve) =>
      c.once('exit', (code, sig) => {
        if (child === c) child = undefined;
        void rm(l.pidFile, { force: true });
        if (!stopping) log.warn(`containerd exited (${sig ?? `code ${code}`}); see ${l.log}`);
        resolve();
        if (!stopping) void restart();
      }),
    );
    c.once('error', (e) => log.error('containerd failed to run', { error: e.message }));
    if (c.pid) void writeFile(l.pidFile, `${c.pid}\n`);
    return c;
  };

  const waitReady = async (c: ChildProcess, timeoutMs: number): Promise<void> => {
    const end = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < end) {
      if (c.exitCode !== null || c.signalCode !== null) throw new Error(`containerd exited during start-up:\n${tail(l.log)}`);
      try {
        version = await criVersion(l.socket, 1000);
        return;
      } catch (e) {
        last = e;
      }
      await sleep(100);
    }
    throw new Error(
      `containerd did not answer on ${l.socket} within ${timeoutMs} ms (${last instanceof Error ? last.message : String(last)}):\n${tail(l.log)}`,
    );
  };

  let backoffMs = 500;
  const restart = async (): Promise<void> => {
    while (!stopping) {
      await sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, 30_000);
      if (stopping) return;
      restarts++;
      log.info('restarting containerd', { restart: restarts });
      const c = launch();
      try {
        await waitReady(c, o.startTimeoutMs ?? 30_000);
        backoffMs = 500;
        log.info(`containerd ${version} ready again`);
        return;
      } catch (e) {
        log.error('containerd restart failed', { error: e instanceof Error ? e.message : String(e) });
        if (child === c) return; // still running but not answering: its exit handler restarts it
        return; // it exited; the exit handler has scheduled the next attempt
      }
    }
  };

  const first = launch();
  try {
    await waitReady(first, o.startTimeoutMs ?? 30_000);
  } catch (e) {
    stopping = true;
    if (first.exitCode === null && first.signalCode === null) {
      first.kill('SIGKILL');
      await exited;
    }
    throw e;
  }
  log.info(`containerd ${version} ready on ${l.socket}`);

  return {
    endpoint: `unix://${l.socket}`,
    get pid() {
      return child?.pid;
    },
    get restarts() {
      return restarts;
    },
    get version() {
      return version;
    },
    async stop() {
      stopping = true;
      const c = child;
      if (!c) return;
      c.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      }, 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
