// Stopping the `tandem up` (or `tandem server`) that holds a data dir's store before `tandem down`
// cleans up after it: SIGTERM first, so it stops as it would on Ctrl-C (its service proxy removes its
// table, containerd stops); if it has not gone within the wait, SIGKILL to its whole process group
// (`npm start` and the shell around it too), unless that group is down's own (a script running both),
// when only the process itself is killed.

import { readFileSync } from 'node:fs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Fields of /proc/PID/stat after the command name: [state, ppid, pgrp, ...]. */
function statFields(pid: number | 'self'): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\)\s*/s, '')
      .split(' ');
  } catch {
    return undefined;
  }
}

const processGroup = (pid: number | 'self'): number | undefined => {
  const g = Number(statFields(pid)?.[2]);
  return g > 0 ? g : undefined;
};

/** This process and its ancestors: down never kills what runs it. */
export function protectedPids(): Set<number> {
  const out = new Set<number>([process.pid]);
  let p = process.ppid;
  for (let i = 0; i < 64 && p > 1 && !out.has(p); i++) {
    out.add(p);
    p = Number(statFields(p)?.[1] ?? 0);
  }
  return out;
}

async function gone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // a zombie (its parent has not reaped it yet) has stopped: it holds nothing
    if (!alive(pid) || statFields(pid)?.[0] === 'Z') return true;
    await sleep(100);
  }
  return !alive(pid);
}

/** Stops `pid` (see the file comment); says how. Throws when it is still alive after SIGKILL. */
export async function stopProcess(pid: number, waitMs: number): Promise<string> {
  if (protectedPids().has(pid)) throw new Error(`pid ${pid} is this tandem down or one of its parents: not stopping it`);
  if (process.platform === 'win32') {
    process.kill(pid); // TerminateProcess: Windows has no SIGTERM to catch
    if (await gone(pid, 10_000)) return 'terminated';
    throw new Error(`pid ${pid} is still running`);
  }
  process.kill(pid, 'SIGTERM');
  if (await gone(pid, waitMs)) return 'stopped on SIGTERM';
  const group = processGroup(pid);
  const own = processGroup('self');
  if (group !== undefined && group > 1 && group !== own) process.kill(-group, 'SIGKILL');
  else process.kill(pid, 'SIGKILL');
  if (await gone(pid, 5000))
    return `did not stop within ${Math.round(waitMs / 1000)} s of SIGTERM: killed${group !== own ? ` (process group ${group})` : ''}`;
  throw new Error(`pid ${pid} is still running after SIGKILL`);
}
