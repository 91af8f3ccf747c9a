// The fsync behind every acknowledged write. SQLite with synchronous=NORMAL commits into the WAL
// file (the OS page cache) without syncing it; synchronous=FULL would sync inside every commit,
// on the event loop, once per transaction. Instead the backend commits each batch as NORMAL and
// calls sync() here: an fdatasync of the WAL file on libuv's thread pool, covering every frame
// written before it started (fsync acts on the file, whichever descriptor wrote it). The event
// loop keeps serving while the disk flushes, and the writes arriving meanwhile share the next sync
// (log-backend.ts). A checkpoint syncs the WAL itself before copying it, and rewinding the WAL
// keeps the same file, so one descriptor opened at the first sync serves the life of the store.
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface WalSync {
  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export function openWalSync(file: string): WalSync {
  const walPath = `${file}-wal`;
  let handle: Promise<FileHandle> | undefined;
  const wal = () =>
    (handle ??= (async () => {
      // r+: Windows flushes (FlushFileBuffers) only through a handle opened for writing; never created here
      const h = await open(walPath, 'r+');
      // the WAL may be new: its directory entry must survive a power loss too (once)
      await syncDirectory(dirname(walPath));
      return h;
    })());
  return {
    async sync() {
      const h = await wal().catch((e: unknown) => {
        handle = undefined; // the next sync tries again
        throw e;
      });
      await h.datasync();
    },
    async close() {
      const h = await handle?.catch(() => undefined);
      handle = undefined;
      await h?.close();
    },
  };
}

async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return; // directories cannot be opened for a sync there; NTFS journals the entry
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
