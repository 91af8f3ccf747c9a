// One process owns a store file. SQLite's exclusive locking mode would say so by itself, but it
// also rules out the second connection that checkpoints the WAL off the event loop
// (checkpointer.ts), so ownership is a lock file beside the store (FILE.lock) holding the owner's
// pid. A lock left by a process that is gone (kill -9, power loss) is taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

class StoreLockedError extends Error {
  constructor(
    readonly file: string,
    readonly pid: number,
    lockPath: string,
  ) {
    super(`${file} is locked: process ${pid} has it open (if no Tandem server runs as that process, remove ${lockPath})`);
    this.name = 'StoreLockedError';
  }
}

const errno = (e: unknown): string | undefined => (e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errno(e) === 'EPERM'; // exists, owned by somebody else
  }
}

/** Takes the lock of `file` for this process; returns its release. Throws StoreLockedError when another live process (or this one) holds it. */
export function acquireStoreLock(file: string): () => void {
  const path = `${file}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (e) {
      if (errno(e) !== 'EEXIST') throw e;
      let pid = 0;
      try {
        pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      } catch (re) {
        if (errno(re) === 'ENOENT') continue;
        throw re;
      }
      if (pid > 0 && alive(pid)) throw new StoreLockedError(file, pid, path);
      try {
        unlinkSync(path);
      } catch (ue) {
        if (errno(ue) !== 'ENOENT') throw ue;
      }
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      try {
        unlinkSync(path);
      } catch {
        /* already gone */
      }
    };
  }
  throw new Error(`could not take the lock ${path}: it keeps changing hands`);
}
