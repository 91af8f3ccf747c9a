// The in-memory backend: current state in a sorted index, history in a bounded event log. Watches
// and lists at an older revision are answered from the log; once the log exceeds `historyLimit`
// events the oldest are dropped and the compacted revision rises accordingly (older reads get
// CompactedError). Nothing survives the process.
import type { Backend, StorageEvent } from '../backend.js';
import type { AutoCompactOptions } from '../auto-compact.js';
import { createLogBackend } from '../log-backend.js';
import type { LogStore } from '../log-store.js';
import { createEventLog } from './event-log.js';

export interface MemoryBackendOptions extends AutoCompactOptions {
  /** Most events of history kept (default 10,000); older ones are compacted away. */
  historyLimit?: number;
  /** keep versions not rewritten for this long deflated (log-backend.ts; 0: never) */
  coldAfterMs?: number;
}

export function createMemoryBackend(opts: MemoryBackendOptions = {}): Backend {
  const limit = Math.max(1, opts.historyLimit ?? 10_000);
  const log = createEventLog();
  let compacted = 0;
  const store: LogStore = {
    get compacted() {
      return compacted;
    },
    append(ev: StorageEvent) {
      log.push(ev);
      while (log.length > limit) compacted = log.dropOldest() ?? compacted;
    },
    eventsAfter: (prefix, after) => log.since(prefix, after),
    async compact(rev) {
      log.dropThrough(rev);
      if (rev > compacted) compacted = rev;
    },
    async close() {},
  };
  return createLogBackend({
    name: 'memory',
    store,
    current: [],
    revision: 0,
    autoCompact: opts,
    ...(opts.coldAfterMs !== undefined ? { coldAfterMs: opts.coldAfterMs } : {}),
  });
}
