// The per-container shim of the process runtime, run as `node shim.js <containerDir>` (detached,
// stdio ignored) so that a container outlives the agent that started it. It spawns the container's
// process, writes its stdout and stderr to the CRI log file (`<RFC3339Nano> stdout|stderr F|P
// <line>`; lines over 16 KiB are split into P records as containerd does), records the pid in
// state.json, and on exit the exit code and finish time in exit.json, after ending whatever the
// process left behind (its process group and cgroup on Linux, its descendants on Windows). A
// `reopen-log` file asks it to reopen the log (after rotation); it is polled, because signals other
// than kill do not exist on Windows.
//
// Linux: the process is started through `/bin/sh -c` that writes its own pid into the container's
// cgroup.procs files and then execs the command, so the command runs its first instruction inside
// the cgroup, while the shim itself stays outside (its memory is not charged to the container).

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname } from 'node:path';
import { killCgroup } from './cgroups.js';
import { signalTree, procStat } from './process-tree.js';
import { createNsClock, inCgroup, readJson, rfc3339Nano, shimPaths, writeJsonAtomic, type ShimSpec } from './shim-files.js';

const MAX_LINE = 16 * 1024;

function main(): void {
  const dir = process.argv[2];
  if (!dir) {
    process.exitCode = 2;
    return;
  }
  const paths = shimPaths(dir);
  const spec = readJson<ShimSpec>(paths.spec);
  if (!spec) {
    process.exitCode = 2;
    return;
  }
  const now = createNsClock();
  mkdirSync(dirname(spec.logPath), { recursive: true });
  let fd = openSync(spec.logPath, 'a');
  const write = (stream: 'stdout' | 'stderr', tag: 'F' | 'P', line: Buffer) => {
    writeSync(fd, Buffer.concat([Buffer.from(`${rfc3339Nano(now())} ${stream} ${tag} `), line, Buffer.from('\n')]));
  };
  const finish = (exitCode: number, extra: { signal?: string; message?: string } = {}, finishedAt = Number(now())) => {
    writeJsonAtomic(paths.exit, { exitCode, finishedAt, ...extra });
    closeSync(fd);
    process.exit(0);
  };

  const { file, args } = inCgroup(spec.os, spec.cgroupProcs, spec.file, spec.args);
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Linux: its own process group, signalled as one; Windows: inside this shim's job object (libuv
      // puts non-detached children there), which ends the tree on real Windows when the shim exits
      detached: spec.os === 'linux',
      windowsHide: true,
      windowsVerbatimArguments: spec.windowsVerbatimArguments,
    });
  } catch (e) {
    const message = `failed to start ${spec.file}: ${e instanceof Error ? e.message : String(e)}`;
    write('stderr', 'F', Buffer.from(message));
    finish(128, { message });
    return;
  }

  const pump = (stream: 'stdout' | 'stderr', r: NodeJS.ReadableStream | null) => {
    let rest: Buffer = Buffer.alloc(0);
    r?.on('data', (chunk: Buffer) => {
      let buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10)) {
        let line = buf.subarray(0, nl);
        while (line.length > MAX_LINE) {
          write(stream, 'P', line.subarray(0, MAX_LINE));
          line = line.subarray(MAX_LINE);
        }
        write(stream, 'F', line);
        buf = buf.subarray(nl + 1);
      }
      while (buf.length > MAX_LINE) {
        write(stream, 'P', buf.subarray(0, MAX_LINE));
        buf = buf.subarray(MAX_LINE);
      }
      rest = Buffer.from(buf);
    });
    return () => {
      if (rest.length) write(stream, 'F', rest);
      rest = Buffer.alloc(0);
    };
  };
  const flushOut = pump('stdout', child.stdout);
  const flushErr = pump('stderr', child.stderr);

  child.on('spawn', () => {
    const pid = child.pid ?? 0;
    const ticks = spec.os === 'linux' ? procStat(pid)?.startTicks : undefined;
    writeJsonAtomic(paths.state, {
      shimPid: process.pid,
      pid,
      startedAt: Number(now()),
      ...(ticks !== undefined ? { pidStartTicks: ticks } : {}),
    });
  });
  child.on('error', (e) => {
    if (child.pid !== undefined) return; // an error after start (a failed kill): the close event follows
    const message = `failed to start ${spec.file}: ${e.message}`;
    write('stderr', 'F', Buffer.from(message));
    finish(128, { message });
  });
  // 'close' waits for every holder of the output pipes, and a grandchild that inherited them (a
  // `start /b` on Windows, a backgrounded `&` on Linux) would hold it open for ever: the container
  // ends when its process exits, its leftovers are ended then, and the output is drained after.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.on('exit', (code, signal) => {
    const exitedAt = Number(now());
    void (async () => {
      // nothing of the container may outlive its process (a container's pid namespace does the same)
      const pid = child.pid ?? 0;
      if (spec.os === 'linux') {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* the group is empty */
        }
        if (spec.cgroup) await killCgroup(spec.cgroup).catch(() => undefined);
      } else {
        await signalTree(spec.os, pid, true).catch(() => undefined);
      }
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
      flushOut();
      flushErr();
      const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      finish(exitCode, signal ? { signal } : {}, exitedAt);
    })();
  });

  const reopen = setInterval(() => {
    if (!existsSync(paths.reopen)) return;
    try {
      const next = openSync(spec.logPath, 'a');
      closeSync(fd);
      fd = next;
    } finally {
      try {
        unlinkSync(paths.reopen);
      } catch {
        /* already answered */
      }
    }
  }, 500);
  reopen.unref();
}

main();
