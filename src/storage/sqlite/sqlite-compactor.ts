// Batched, resumable compaction of the SQLite log. compact(R) first records R durably as the
// compacted revision (reads below it are refused from then on), then deletes, in short
// transactions of `batchSize` revisions each, the rows superseded by a row at or below R and the
// deletion markers at or below R. Progress is recorded in the same transaction as each batch, so a
// crash mid-way resumes at the next open. Rows superseded only by rows above R are kept: they are
// the state at R and the `prev` of later events.
import type { Db, Statements } from './sqlite-schema.js';

export interface SqliteCompactor {
  readonly compacted: number;
  compact(revision: number): Promise<void>;
  /** Finish an interrupted compaction (in the background). */
  resume(): void;
  /** Stop after the current batch. */
  close(): Promise<void>;
}

export interface SqliteCompactorInit {
  db: Db;
  stm: Statements;
  batchSize: number;
  /** Called after the rows at or below `revision` were compacted (deletion markers gone). */
  onCompacted(revision: number): void;
}

export function createSqliteCompactor(init: SqliteCompactorInit): SqliteCompactor {
  const { db, stm, batchSize } = init;
  let compacted = stm.getMeta.get('compact_rev')?.value ?? 0;
  let progress = stm.getMeta.get('compact_progress')?.value ?? 0;
  let closed = false;
  let chain: Promise<void> = Promise.resolve();

  const batch = db.transaction((lo: number, hi: number) => {
    stm.deleteSuperseded.run(lo, hi);
    stm.deleteMarkers.run(lo, hi);
    stm.setMeta.run('compact_progress', hi);
  });

  const drain = async () => {
    while (!closed && progress < compacted) {
      const hi = Math.min(progress + batchSize, compacted);
      batch(progress, hi);
      progress = hi;
      init.onCompacted(hi);
      // Let queued writes and reads run between batches.
      if (progress < compacted) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  const enqueue = (job: () => Promise<void>) => {
    const p = chain.then(job);
    chain = p.catch(() => {});
    return p;
  };

  return {
    get compacted() {
      return compacted;
    },
    compact(revision) {
      if (revision > compacted) {
        stm.setMeta.run('compact_rev', revision);
        compacted = revision;
      }
      return enqueue(drain);
    },
    resume() {
      if (progress < compacted) void enqueue(drain).catch(() => {});
    },
    async close() {
      closed = true;
      await chain;
    },
  };
}
