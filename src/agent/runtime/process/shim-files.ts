// The files a container's shim and the process runtime share in the container's directory: what
// to run (spec.json, written by the runtime), that it runs (state.json, by the shim once the process
// exists), how it ended (exit.json, by the shim), and a log reopen request (reopen-log). State lives
// in files, not in the agent's memory, so that a new agent adopts running containers.

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessOs } from './command.js';

export interface ShimSpec {
  os: ProcessOs;
  /** what to spawn (launchFor's answer) */
  file: string;
  args: string[];
  windowsVerbatimArguments: boolean;
  env: Record<string, string>;
  cwd: string;
  /** the CRI log file */
  logPath: string;
  /** Linux: cgroup.procs files the launcher joins before exec (empty: no cgroup) */
  cgroupProcs: string[];
  /** Linux: the container's cgroup, emptied when the process ends */
  cgroup?: { version: 1 | 2; dirs: string[] };
}

export interface ShimState {
  shimPid: number;
  pid: number;
  /** ns since the epoch */
  startedAt: number;
  /** Linux: the process's start time in clock ticks (guards against a reused pid) */
  pidStartTicks?: number;
}

export interface ShimExit {
  exitCode: number;
  /** ns since the epoch */
  finishedAt: number;
  signal?: string;
  /** why it could not start, when it could not */
  message?: string;
}

export const shimPaths = (dir: string) => ({
  spec: join(dir, 'spec.json'),
  state: join(dir, 'state.json'),
  exit: join(dir, 'exit.json'),
  reopen: join(dir, 'reopen-log'),
});

/** Written whole or not at all: readers never see half a file. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value));
  renameSync(`${path}.tmp`, path);
}

export function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Nanoseconds since the epoch: the wall clock at start plus a monotonic offset (Date has ms only). */
export function createNsClock(): () => bigint {
  const wall = BigInt(Date.now()) * 1_000_000n;
  const mono = process.hrtime.bigint();
  return () => wall + (process.hrtime.bigint() - mono);
}

/** RFC 3339 with nine fraction digits, in UTC: the CRI log timestamp. */
export function rfc3339Nano(ns: bigint): string {
  const secs = ns / 1_000_000_000n;
  const frac = String(ns % 1_000_000_000n).padStart(9, '0');
  return `${new Date(Number(secs) * 1000).toISOString().slice(0, 19)}.${frac}Z`;
}

// $0 = "launch", $1 = how many cgroup.procs files follow, then the files, then the command
const LAUNCH = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"';

/** Linux with a cgroup: a shell that joins the cgroup and then becomes the command (same pid). */
export function inCgroup(os: ProcessOs, procs: string[], file: string, args: string[]): { file: string; args: string[] } {
  if (os !== 'linux' || procs.length === 0) return { file, args };
  return { file: '/bin/sh', args: ['-c', LAUNCH, 'launch', String(procs.length), ...procs, file, ...args] };
}
