// Where a container's CRI log files are: `<podLogDir>/<container>/<attempt>.log`. The current file is
// the highest attempt; `previous` is the next lower one.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Attempt numbers of the log files present for a container, ascending. */
export async function logAttempts(logDir: string, container: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(join(logDir, container));
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const n of names) {
    const m = /^(\d+)\.log$/.exec(n);
    if (m) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

const logPath = (logDir: string, container: string, attempt: number): string => join(logDir, container, `${attempt}.log`);

/** The file to read: the current attempt, or the one before it; undefined when there is none. */
export async function findLogFile(
  logDir: string,
  container: string,
  previous: boolean,
): Promise<{ path: string; attempt: number } | undefined> {
  const attempts = await logAttempts(logDir, container);
  const idx = attempts.length - (previous ? 2 : 1);
  const attempt = attempts[idx];
  return attempt === undefined ? undefined : { path: logPath(logDir, container, attempt), attempt };
}
