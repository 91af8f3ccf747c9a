// WAL checkpoints off the event loop. Copying committed pages from the WAL into the database file
// was about half the cost of a write on the event loop (SQLite's automatic checkpoint runs inside
// the commit that crosses its threshold). Here a worker thread with its own connection runs PASSIVE
// checkpoints shortly after writes (they never block the writer), and the writer itself runs one
// small PASSIVE checkpoint every WRITER_CHECKPOINT_BYTES: SQLite rewinds the WAL only when a write
// starts after a checkpoint that caught up completely, which under a steady stream of writes only
// the writer can guarantee. Its checkpoint is cheap because the worker copied nearly everything.
// The worker's pace follows the volume: soon after a burst (WORKER_SOON_BYTES), else at most once
// per IDLE_DELAY_MS. An idle cluster's trickle of Lease renewals (500 small commits/s at 5,000
// nodes) would otherwise get a checkpoint every 50 ms, each re-copying the same few B-tree pages and
// syncing the database file, plus a message to the worker: about a fifth of the idle server's CPU.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Db } from './sqlite-schema.js';

/** Bytes written between two checkpoints of the writer itself. */
const WRITER_CHECKPOINT_BYTES = 16 * 1024 * 1024;
/** How soon the worker checkpoints once WORKER_SOON_BYTES were written since its last one. */
const SOON_MS = 50;
/** Bytes after which the worker's next checkpoint comes SOON_MS after the write (a burst). */
const WORKER_SOON_BYTES = 1024 * 1024;
/** How soon it checkpoints after a trickle of small writes (an idle cluster's heartbeats). */
const IDLE_DELAY_MS = 1000;

export interface Checkpointer {
  /** Tell it that a commit wrote about `bytes` to the WAL. */
  wrote(bytes: number): void;
  /** Stops the worker (its connection closed) before the writer closes the database. */
  close(): Promise<void>;
  /** Checkpoints asked of the worker so far. */
  requested(): number;
}

interface Init {
  checkpointFile: string;
}

export function startCheckpointer(file: string, db: Db): Checkpointer {
  const init: Init = { checkpointFile: file };
  const worker = new Worker(new URL(import.meta.url), { workerData: init });
  worker.unref();
  worker.on('error', () => undefined);
  let exited = false;
  let closing = false;
  const exit = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      exited = true;
      // a worker gone early (it could not open the file, it crashed): the writer's connection goes
      // back to SQLite's own checkpoints, inside its commits
      if (!closing) db.pragma('wal_autocheckpoint = 1000');
      resolve();
    }),
  );
  let scheduled: NodeJS.Timeout | undefined;
  /** the pending timer is the short one */
  let soon = false;
  let sinceWriter = 0;
  let sinceWorker = 0;
  let requested = 0;
  const schedule = (ms: number) => {
    if (scheduled) clearTimeout(scheduled);
    soon = ms === SOON_MS;
    scheduled = setTimeout(() => {
      scheduled = undefined;
      sinceWorker = 0;
      requested++;
      worker.postMessage('checkpoint');
    }, ms);
    scheduled.unref();
  };
  return {
    wrote(bytes) {
      sinceWriter += bytes;
      sinceWorker += bytes;
      if (sinceWriter >= WRITER_CHECKPOINT_BYTES && !exited) {
        sinceWriter = 0;
        db.pragma('wal_checkpoint(PASSIVE)');
      }
      if (exited) return;
      if (sinceWorker >= WORKER_SOON_BYTES) {
        if (!scheduled || !soon) schedule(SOON_MS);
      } else if (!scheduled) schedule(IDLE_DELAY_MS);
    },
    requested: () => requested,
    async close() {
      closing = true;
      if (scheduled) clearTimeout(scheduled);
      scheduled = undefined;
      if (!exited) {
        worker.ref(); // an unref'd worker's exit would not keep the caller's await alive
        worker.postMessage('close');
      }
      await exit;
    },
  };
}

// ---- the worker ----
const job = isMainThread ? undefined : (workerData as Partial<Init> | undefined)?.checkpointFile;
if (job && parentPort) {
  const port = parentPort;
  const conn = new Database(job, { timeout: 100 });
  conn.pragma('wal_autocheckpoint = 0');
  port.on('message', (m: unknown) => {
    if (m === 'close') {
      conn.close();
      port.close();
      return;
    }
    try {
      conn.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // busy (the writer is checkpointing itself): the next write schedules another one
    }
  });
}
