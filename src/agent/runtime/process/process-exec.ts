// Commands in a running process container: execSync for probes and hooks (output collected, a
// timeout that kills the command's tree), and direct streams for `kubectl exec` and `attach`.
//
// No TTY: Node has no pseudo-terminal without native code, so a `tty` session runs on pipes; the
// command's stderr then joins stdout (a terminal would show both), line editing and resize do not
// apply (resize is accepted and ignored), and programs that check isatty behave as when piped.
// Attach: a container's output goes to its log file through the shim, so attach follows that file
// from its current end (stdout and stderr apart); its stdin is not kept open by the shim, so attach
// with stdin is refused with a clear error.

import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import { constants } from 'node:os';
import { PassThrough } from 'node:stream';
import { ExecTimeoutError, type ContainerStatus, type DirectStream, type ExecResult, type StreamOptions } from '../runtime.js';
import type { ProcessOs } from './command.js';
import { launchOf } from './launch.js';
import { signalTree } from './process-tree.js';
import type { ContainerRecord } from './records.js';
import { inCgroup } from './shim-files.js';

/** Starts `cmd` in the container's directory, environment and cgroup; resolves once it runs. */
async function spawnIn(os: ProcessOs, r: ContainerRecord, cmd: string[], stdio: StdioOptions): Promise<ChildProcess> {
  if (cmd.length === 0) throw new Error('exec needs a command');
  const l = launchOf(os, r, process.env, cmd);
  const { file, args } = inCgroup(os, r.cgroup?.procs ?? [], l.file, l.args);
  const child = spawn(file, args, {
    cwd: l.cwd,
    env: l.env,
    stdio,
    detached: os === 'linux',
    windowsHide: true,
    windowsVerbatimArguments: l.windowsVerbatimArguments,
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (e) => reject(new Error(`exec ${cmd[0] ?? ''}: ${e.message}`)));
  });
  return child;
}

const codeOf = (code: number | null, signal: NodeJS.Signals | null) => code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);

export async function execSync(os: ProcessOs, r: ContainerRecord, cmd: string[], timeoutSeconds: number): Promise<ExecResult> {
  const child = await spawnIn(os, r, cmd, ['ignore', 'pipe', 'pipe']);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => out.push(b));
  child.stderr?.on('data', (b: Buffer) => err.push(b));
  return new Promise<ExecResult>((resolve, reject) => {
    let timedOut = false;
    const timer =
      timeoutSeconds > 0
        ? setTimeout(() => {
            timedOut = true;
            void signalTree(os, child.pid ?? 0, true);
          }, timeoutSeconds * 1000)
        : undefined;
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (timedOut) reject(new ExecTimeoutError(`command ${JSON.stringify(cmd)} timed out after ${timeoutSeconds}s`));
      else resolve({ exitCode: codeOf(code, signal), stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
    });
  });
}

export async function openStream(
  os: ProcessOs,
  r: ContainerRecord,
  kind: 'exec' | 'attach',
  cmd: string[],
  opts: StreamOptions,
  status: () => Promise<ContainerStatus>,
): Promise<DirectStream> {
  if (kind === 'attach') return attachToLog(r, opts, status);
  const child = await spawnIn(os, r, cmd, [
    opts.stdin ? 'pipe' : 'ignore',
    opts.stdout || opts.tty ? 'pipe' : 'ignore',
    opts.stderr || opts.tty ? 'pipe' : 'ignore',
  ]);
  let stdout: NodeJS.ReadableStream | undefined = child.stdout ?? undefined;
  let stderr: NodeJS.ReadableStream | undefined = child.stderr ?? undefined;
  if (opts.tty) {
    const both = new PassThrough();
    let open = 0;
    for (const s of [child.stdout, child.stderr]) {
      if (!s) continue;
      open++;
      s.on('end', () => --open === 0 && both.end());
      s.pipe(both, { end: false });
    }
    if (open === 0) both.end();
    stdout = both;
    stderr = undefined;
  }
  let done = false;
  const exit = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => {
      done = true;
      resolve(codeOf(code, signal));
    }),
  );
  child.stdin?.on('error', () => undefined); // a process that exits before reading its stdin
  return {
    ...(child.stdin ? { stdin: child.stdin } : {}),
    ...(stdout ? { stdout } : {}),
    ...(stderr ? { stderr } : {}),
    exit,
    resize: () => undefined,
    close: () => {
      if (!done) void signalTree(os, child.pid ?? 0, true);
    },
  };
}

/** Splits CRI log records into the message bytes of each stream (a partial record gets no newline). */
function parseRecords(buf: Buffer, emit: (stream: string, msg: Buffer) => void): Buffer {
  let start = 0;
  for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
    const line = buf.subarray(start, nl);
    start = nl + 1;
    const a = line.indexOf(32);
    const b = a < 0 ? -1 : line.indexOf(32, a + 1);
    const c = b < 0 ? -1 : line.indexOf(32, b + 1);
    if (c < 0) continue;
    const partial = line
      .toString('latin1', b + 1, c)
      .split(':')
      .includes('P');
    emit(line.toString('latin1', a + 1, b), partial ? line.subarray(c + 1) : Buffer.concat([line.subarray(c + 1), Buffer.from('\n')]));
  }
  return Buffer.from(buf.subarray(start));
}

async function attachToLog(r: ContainerRecord, opts: StreamOptions, status: () => Promise<ContainerStatus>): Promise<DirectStream> {
  if (opts.stdin)
    throw new Error("attach with stdin is not supported by the process runtime: a container's stdin is not kept open (its output is)");
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let offset = (await stat(r.logPath).catch(() => undefined))?.size ?? 0;
  let rest: Buffer = Buffer.alloc(0);
  let closed = false;
  const readNew = async () => {
    const size = (await stat(r.logPath).catch(() => undefined))?.size ?? 0;
    if (size < offset) offset = 0; // rotated: the new file from its start
    if (size === offset) return;
    const fh = await open(r.logPath, 'r');
    try {
      const buf = Buffer.alloc(size - offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      offset += bytesRead;
      rest = parseRecords(Buffer.concat([rest, buf.subarray(0, bytesRead)]), (stream, msg) => {
        if (stream === 'stderr' && !opts.tty) {
          if (opts.stderr) stderr.write(msg);
        } else if (opts.stdout || opts.tty) stdout.write(msg);
      });
    } finally {
      await fh.close();
    }
  };
  const exit = new Promise<number>((resolve) => {
    const tick = async () => {
      if (closed) return resolve(0);
      const st = await status().catch(() => undefined);
      await readNew().catch(() => undefined);
      if (!st || st.state === 'exited') {
        stdout.end();
        stderr.end();
        return resolve(st?.exitCode ?? 0);
      }
      setTimeout(() => void tick(), 200);
    };
    void tick();
  });
  return {
    ...(opts.stdout || opts.tty ? { stdout } : {}),
    ...(opts.stderr && !opts.tty ? { stderr } : {}),
    exit,
    close: () => {
      closed = true;
      stdout.end();
      stderr.end();
    },
  };
}
