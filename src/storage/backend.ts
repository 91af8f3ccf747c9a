// The revisioned key-value backend (the kine model): one global revision per write, compare-and-swap
// on a key's modRevision, bounded history, and watch from a revision. Values are opaque strings
// (the API server stores JSON). Every backend passes storage/conformance.ts.

export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created this key (for the current incarnation of the key). */
  createRevision: number;
  /** Revision of the last write to this key. */
  modRevision: number;
}

export type StorageEvent =
  | { type: 'create'; kv: KeyValue }
  | { type: 'update'; kv: KeyValue; prev: KeyValue }
  /** kv.modRevision is the revision of the delete; kv.value is the last value. */
  | { type: 'delete'; kv: KeyValue; prev: KeyValue };

export interface ListOptions {
  /** Only keys strictly greater than this (for paging). */
  after?: string;
  /** At most this many (0 or absent: all). */
  limit?: number;
  /** Read as of this revision (must be >= compacted revision); absent: current. */
  revision?: number;
}

export interface ListResult {
  kvs: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when more keys follow the last one returned. */
  more: boolean;
}

export interface Watch {
  /** Stop delivering events; idempotent. */
  cancel(): void;
  /**
   * Optional: a revision up to which this watch has handed every event to its handlers, beyond its
   * last event (the store's newest published revision); undefined while events wait for delivery.
   * What a bookmark may carry, so that a client of a quiet prefix resumes from a recent revision
   * instead of one that compaction removed (and relists).
   */
  progress?(): number | undefined;
}

export interface WatchHandlers {
  /** Events in revision order, possibly several at once. */
  onEvents(events: StorageEvent[]): void;
  /**
   * The watch ended without cancel(): the backend fell too far behind or was closed.
   * The watcher must relist.
   */
  onError(err: Error): void;
}

export interface Backend {
  readonly name: string;
  /** The revision of the newest write (0 for an empty store). */
  currentRevision(): Promise<number>;
  /** The oldest revision still readable/watchable (history before it is compacted). */
  compactedRevision(): Promise<number>;
  get(key: string): Promise<KeyValue | undefined>;
  /** Keys with the given prefix, in key order. Throws CompactedError for a revision below the compaction point. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  count(prefix: string): Promise<number>;
  /** Create; throws KeyExistsError if the key exists. Returns the new KeyValue. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Update if the key's modRevision equals `expectedRevision`; throws ConflictError / KeyNotFoundError. */
  update(key: string, value: string, expectedRevision: number): Promise<KeyValue>;
  /** Delete (if `expectedRevision` is given, only at that modRevision). Returns the deleted KeyValue with the delete revision. */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;
  /**
   * Watch keys with `prefix`, delivering every event with revision > `afterRevision`.
   * Throws CompactedError when `afterRevision` < compactedRevision().
   */
  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watch;
  /** Drop history at or below `revision` (superseded versions and deletion markers). */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
  /**
   * Optional (etcd: leases): from now on, keys written under one of `prefixes` are deleted by the
   * store about `ttlMs` after their last write (never earlier; watchers see the deletes). A backend
   * without it needs a sweeper for such keys (apiserver/registry/event-ttl.ts).
   */
  expireUnder?(prefixes: readonly string[], ttlMs: number): void;
}

export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
    this.name = 'KeyExistsError';
  }
}
export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
    this.name = 'KeyNotFoundError';
  }
}
export class ConflictError extends Error {
  constructor(
    readonly key: string,
    readonly current: KeyValue | undefined,
  ) {
    super(`revision conflict on ${key}`);
    this.name = 'ConflictError';
  }
}
export class CompactedError extends Error {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`required revision ${requested} has been compacted (oldest available ${compacted})`);
    this.name = 'CompactedError';
  }
}
/** The backend was closed: operations reject with it and open watches end with it. */
export class ClosedError extends Error {
  constructor(readonly backend: string) {
    super(`storage backend ${backend} is closed`);
    this.name = 'ClosedError';
  }
}
export class FutureRevisionError extends Error {
  constructor(
    readonly requested: number,
    readonly current: number,
  ) {
    super(`revision ${requested} is in the future (current ${current})`);
    this.name = 'FutureRevisionError';
  }
}
/**
 * The store cannot take the request now (a remote store unreachable, out of space, no quorum): the
 * request may succeed later. `reason` is the store's own words (e.g. etcd's "database space exceeded").
 */
export class StorageUnavailableError extends Error {
  constructor(
    readonly backend: string,
    readonly reason: string,
  ) {
    super(`storage backend ${backend} is unavailable: ${reason}`);
    this.name = 'StorageUnavailableError';
  }
}
