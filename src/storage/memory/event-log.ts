// A bounded in-memory log of storage events in revision order, with cheap removal of the oldest.
import type { StorageEvent } from '../backend.js';

export interface EventLog {
  readonly length: number;
  push(ev: StorageEvent): void;
  /** Drop events with revision <= rev. */
  dropThrough(rev: number): void;
  /** Drop the oldest event; returns its revision (undefined when empty). */
  dropOldest(): number | undefined;
  /** Events with revision > rev and key starting with prefix, in order. */
  since(prefix: string, rev: number): StorageEvent[];
}

const revOf = (ev: StorageEvent | undefined) => ev?.kv.modRevision ?? 0;

export function createEventLog(): EventLog {
  // Dropped slots before `start` are cleared so their values can be collected.
  let evs: (StorageEvent | undefined)[] = [];
  let start = 0;
  const compactArray = () => {
    if (start > 1024 && start * 2 > evs.length) {
      evs = evs.slice(start);
      start = 0;
    }
  };
  /** First index >= start whose revision > rev. */
  const firstAfter = (rev: number) => {
    let lo = start;
    let hi = evs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (revOf(evs[mid]) <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    get length() {
      return evs.length - start;
    },
    push(ev) {
      evs.push(ev);
    },
    dropThrough(rev) {
      start = firstAfter(rev);
      compactArray();
    },
    dropOldest() {
      const ev = evs[start];
      if (!ev) return undefined;
      evs[start] = undefined;
      start++;
      compactArray();
      return revOf(ev);
    },
    since(prefix, rev) {
      const out: StorageEvent[] = [];
      for (let i = firstAfter(rev); i < evs.length; i++) {
        const ev = evs[i];
        if (ev && ev.kv.key.startsWith(prefix)) out.push(ev);
      }
      return out;
    },
  };
}
