// What a persistence layer provides to the shared log backend (log-backend.ts): an append-only
// event log with compaction. The backend keeps the current state in memory and validates every
// write (existence, compare-and-swap) before handing the event to the store.
import type { StorageEvent } from './backend.js';

export interface LogStore {
  /**
   * Persist one event (revision = event.kv.modRevision = previous revision + 1) before returning:
   * durably, or, for a store with sync(), durably once the next sync() resolves. Throws if nothing was written.
   */
  append(ev: StorageEvent): void;
  /**
   * Persist several events atomically (one transaction), in order; either all are durable when it
   * returns or it throws and none is. Optional: stores without it get append() per event.
   */
  appendMany?(evs: readonly StorageEvent[]): void;
  /**
   * Optional: make every event appended before the call durable (survive a power loss), off the
   * event loop. The backend acknowledges writes only after it resolves, and runs one at a time.
   * Absent: append() is as durable as the store gets when it returns.
   */
  sync?(): Promise<void>;
  /** Stored events with revision > `after` for keys starting with `prefix`, in revision order. */
  eventsAfter(prefix: string, after: number): StorageEvent[];
  /** Oldest readable revision: history at or below it may be gone. May rise on append (bounded stores). */
  readonly compacted: number;
  /** Drop history at or below `revision` (> compacted, <= current). Must raise `compacted` before it resolves. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

/** A sync of the log failed: whether the writes it covered are on disk is unknown, so the backend stops accepting anything. */
export class StorageSyncError extends Error {
  constructor(
    readonly backend: string,
    cause: string,
  ) {
    super(`storage backend ${backend} could not make its log durable (${cause}); it accepts no more requests: restart the server`);
    this.name = 'StorageSyncError';
  }
}
