// Where a command keeps its state: --data-dir, else $TANDEM_HOME, else the OS's default: ~/.tandem on
// Linux, %ProgramData%\tandem on Windows (machine-wide, where services keep their data: the agent
// runs as a service under LocalSystem, whose home is not a place for it).

import { chmodSync, existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve, win32 } from 'node:path';

export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return win32.join(env['ProgramData'] ?? env['ALLUSERSPROFILE'] ?? 'C:\\ProgramData', 'tandem');
  return join(homedir(), '.tandem');
}

export function resolveDataDir(flag: string | undefined): string {
  if (flag) return resolve(flag);
  if (process.env['TANDEM_HOME']) return resolve(process.env['TANDEM_HOME']);
  return defaultDataDir();
}

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(text);
  if (!m) throw new Error(`--listen must be HOST:PORT (got "${text}")`);
  const port = Number(m[2]);
  if (port < 0 || port > 65535) throw new Error(`--listen port must be 0-65535 (got ${port})`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** A data dir as a start found it, so that a start that fails can take back what it made. */
export interface DataDirClaim {
  dir: string;
  /** whether this start created the directory (or a parent of it) */
  created: boolean;
  /**
   * Removes what this start made: the directory (from the first folder it created) when it made it,
   * else the entries that were not there before. Only for a start that owns the dir (holds its store's
   * lock), so that nothing of a concurrent owner is touched.
   */
  undo(): void;
  /** Removes the directory if this start created it and nothing is in it (nobody else's files are lost). */
  undoIfEmpty(): void;
}

/**
 * The data dir holds the cluster's keys and every Secret: it is the owner's alone (0700). A dir that
 * exists with wider permissions is narrowed; one that belongs to another user, or cannot be narrowed,
 * is refused with what to do (Windows: NTFS ACLs, not modes; left as they are).
 */
export function secureDataDir(dir: string): void {
  if (process.platform === 'win32') return;
  const st = statSync(dir);
  if (!st.isDirectory()) throw new Error(`data dir ${dir} is not a directory: choose another --data-dir`);
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0 && st.uid !== uid) {
    throw new Error(
      `data dir ${dir} belongs to uid ${st.uid}, not to this user (uid ${uid}): run as its owner, or choose another --data-dir`,
    );
  }
  if ((st.mode & 0o077) === 0) return;
  try {
    chmodSync(dir, 0o700);
  } catch (e) {
    throw new Error(
      `data dir ${dir} is readable by other users (mode ${(st.mode & 0o777).toString(8)}) and could not be made 0700 (${e instanceof Error ? e.message : String(e)}): chmod 700 it, or choose another --data-dir`,
    );
  }
}

/** Creates the data dir (mode 0700) if it is missing, remembering what was there; an existing one is made 0700. */
export function claimDataDir(dir: string): DataDirClaim {
  const before = existsSync(dir) ? new Set(readdirSync(dir)) : undefined;
  const first = mkdirSync(dir, { recursive: true, mode: 0o700 });
  secureDataDir(dir);
  // the outermost folder this start created: everything below it is the start's
  const createdRoot = before === undefined ? first : undefined;
  return {
    dir,
    created: createdRoot !== undefined,
    undo() {
      if (createdRoot) rmSync(createdRoot, { recursive: true, force: true });
      else for (const name of readdirSync(dir)) if (!before?.has(name)) rmSync(join(dir, name), { recursive: true, force: true });
    },
    undoIfEmpty() {
      if (!createdRoot) return;
      try {
        for (let d = dir; ; d = dirname(d)) {
          rmdirSync(d);
          if (d === createdRoot) break;
        }
      } catch {
        /* not empty: somebody's files are in it */
      }
    },
  };
}
