// What a persistence layer provides to the shared log backend (log-backend.ts): an append-only
// event log with compaction. The backend keeps the current state in memory and validates every
// write (existence, compare-and-swap) before handing the event to the store.
import type { StorageEvent } from './backend.js';

export interface LogStore {
  /** Persist one event (revision = event.kv.modRevision = previous revision + 1), durably, before returning. Throws if nothing was written. */
  append(ev: StorageEvent): void;
  /**
   * Persist several events atomically (one transaction), in order; either all are durable when it
   * returns or it throws and none is. Optional: stores without it get append() per event.
   */
  appendMany?(evs: readonly StorageEvent[]): void;
  /** Stored events with revision > `after` for keys starting with `prefix`, in revision order. */
  eventsAfter(prefix: string, after: number): StorageEvent[];
  /** Oldest readable revision: history at or below it may be gone. May rise on append (bounded stores). */
  readonly compacted: number;
  /** Drop history at or below `revision` (> compacted, <= current). Must raise `compacted` before it resolves. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}
