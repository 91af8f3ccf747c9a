// Ending a container's whole process tree.
//
// Linux: the container's process leads its own process group (spawned detached), so a signal to the
// group reaches its children and grandchildren; a process that left the group (setsid) is still in
// the container's cgroup, which cgroups.ts empties.
//
// Windows: Node cannot send CTRL_BREAK or CTRL_C to another process group (libuv's uv_kill maps every
// signal to TerminateProcess), and job objects are out of Node's reach. What is graceful, precisely:
// `taskkill /T /PID <pid>` without /F posts WM_CLOSE to the top-level windows of the tree's
// processes, so a process with a window (or a message loop that handles WM_CLOSE) may shut down on
// its own; a console program without a window gets nothing (taskkill answers that it can only be
// terminated forcefully) and keeps running until the grace period ends. Then `taskkill /T /F /PID`
// terminates the tree (TerminateProcess: no handler runs, exit code 1 on Windows, 0 under Wine).
// taskkill /T finds children by their parent pid; Wine's process tools do not walk trees (a
// grandchild outlives its killed parent, notes/windows.md part 5), so the descendants are also
// listed beforehand (`wmic process get ParentProcessId,ProcessId`, else PowerShell's
// Get-CimInstance) and terminated one by one (process.kill: TerminateProcess). A descendant whose parent has exited is still found:
// Windows keeps the dead parent's pid as its ParentProcessId.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ProcessOs } from './command.js';

/** taskkill's arguments for a tree: polite (WM_CLOSE) or forced (TerminateProcess). */
export function taskkillArgs(pids: number[], force: boolean, tree = true): string[] {
  return [...(tree ? ['/T'] : []), ...(force ? ['/F'] : []), ...pids.flatMap((p) => ['/PID', String(p)])];
}

/** Decodes a tool's output: wmic writes UTF-16LE when its output is a pipe. */
export function decodeToolOutput(b: Buffer): string {
  // a UTF-16LE byte-order mark, or ASCII text with a zero after its first character
  const utf16 = (b[0] === 0xff && b[1] === 0xfe) || (b.length >= 2 && b[0] !== 0 && b[1] === 0);
  return (utf16 ? b.toString('utf16le') : b.toString('utf8')).replace(/^\uFEFF/, '');
}

/** `ParentProcessId ProcessId` lines (wmic's table, or our PowerShell line format) → [parent, pid] pairs. */
export function parseProcessTable(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
    if (m) out.push([Number(m[1]), Number(m[2])]);
  }
  return out;
}

/** Every descendant of `root` (not root itself), parents before children. */
export function descendants(root: number, table: Array<[number, number]>): number[] {
  const children = new Map<number, number[]>();
  for (const [ppid, pid] of table) {
    if (pid === ppid) continue;
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const seen = new Set<number>([root]);
  const queue = [root];
  while (queue.length) {
    const p = queue.shift()!;
    for (const c of children.get(p) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

const run = (file: string, args: string[]) =>
  new Promise<Buffer | undefined>((resolve) => {
    execFile(file, args, { encoding: 'buffer', windowsHide: true, timeout: 15_000 }, (err, stdout) => resolve(err ? undefined : stdout));
  });

const POWERSHELL_LIST = 'Get-CimInstance Win32_Process | ForEach-Object { "$($_.ParentProcessId) $($_.ProcessId)" }';

/** The host's (parent, pid) table on Windows; empty when neither wmic nor PowerShell answers. */
async function windowsProcessTable(): Promise<Array<[number, number]>> {
  const wmic = await run('wmic', ['process', 'get', 'ParentProcessId,ProcessId']);
  const fromWmic = wmic ? parseProcessTable(decodeToolOutput(wmic)) : [];
  if (fromWmic.length) return fromWmic;
  const ps = await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', POWERSHELL_LIST]);
  return ps ? parseProcessTable(decodeToolOutput(ps)) : [];
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* the group is gone */
  }
}

/**
 * Asks (force=false) or forces (force=true) a container's process tree to end. Linux: SIGTERM or
 * SIGKILL to the process group. Windows: see the file comment.
 */
export async function signalTree(os: ProcessOs, pid: number, force: boolean): Promise<void> {
  if (os === 'linux') {
    signalGroup(pid, force ? 'SIGKILL' : 'SIGTERM');
    return;
  }
  if (!force) {
    await run('taskkill', taskkillArgs([pid], false));
    return;
  }
  const below = descendants(pid, await windowsProcessTable());
  await run('taskkill', taskkillArgs([pid], true));
  // each descendant on its own (TerminateProcess through libuv): taskkill given several pids gives
  // up at the first that is already gone (Wine's does), and those the /T above ended are
  for (const p of below) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Linux: a process's state letter and start time (clock ticks after boot) from /proc/<pid>/stat. */
export function procStat(pid: number): { state: string; startTicks: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // the command name (field 2) may hold spaces and parentheses: fields count from its last ')'
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '', startTicks: Number(rest[19]) };
  } catch {
    return undefined;
  }
}

/**
 * Whether a process exists (signal 0; on Windows an OpenProcess check through libuv). On Linux a
 * zombie counts as gone (an orphan reparented to an init that does not reap stays one), and with
 * `startTicks` a pid reused by another process too.
 */
export function alive(pid: number | undefined, startTicks?: number): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  const st = procStat(pid);
  if (!st) return false;
  return st.state !== 'Z' && st.state !== 'X' && (startTicks === undefined || st.startTicks === startTicks);
}
