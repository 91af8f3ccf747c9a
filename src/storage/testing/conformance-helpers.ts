// Helpers for the storage conformance suite: an event collector for watches and small assertions.
import assert from 'node:assert/strict';
import type { Backend, StorageEvent, Watch } from '../backend.js';

export type MakeBackend = () => Promise<Backend>;

/**
 * Runs `fn` with a fresh backend and closes it afterwards. `fn` gets the backend's revision at the
 * start (r0): 0 for memory and sqlite; etcd starts at revision 1 and a test's etcd may hold other
 * tests' history under other prefixes, so the suite asserts revisions as r0 + n (the n-th write of
 * the test), which every backend satisfies as long as the test is the store's only writer.
 */
export async function withBackend(make: MakeBackend, fn: (b: Backend, r0: number) => Promise<void>): Promise<void> {
  const b = await make();
  try {
    await fn(b, await b.currentRevision());
  } finally {
    await b.close();
  }
}

export interface Collector {
  readonly events: StorageEvent[];
  readonly errors: Error[];
  readonly batches: number;
  watch: Watch;
  /** Resolves once at least n events arrived (rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<StorageEvent[]>;
  /** Resolves once an error arrived. */
  waitForError(ms?: number): Promise<Error>;
}

export function collect(b: Backend, prefix: string, after: number): Collector {
  const events: StorageEvent[] = [];
  const errors: Error[] = [];
  let batches = 0;
  let wake = () => {};
  const watch = b.watch(prefix, after, {
    onEvents(evs) {
      batches++;
      events.push(...evs);
      wake();
    },
    onError(err) {
      errors.push(err);
      wake();
    },
  });
  const until = (cond: () => boolean, ms: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      if (cond()) return resolve();
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what} (have ${events.length} events)`)), ms);
      wake = () => {
        if (cond()) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
  return {
    events,
    errors,
    watch,
    get batches() {
      return batches;
    },
    async waitFor(n, ms = 2000) {
      await until(() => events.length >= n, ms, `${n} events`);
      return events;
    },
    async waitForError(ms = 2000) {
      await until(() => errors.length > 0, ms, 'an error');
      return errors[0] as Error;
    },
  };
}

/** Lets queued microtasks and immediates run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export const revs = (evs: StorageEvent[]) => evs.map((e) => e.kv.modRevision);

export function assertConsecutive(evs: StorageEvent[], from: number, to: number): void {
  const expected: number[] = [];
  for (let r = from; r <= to; r++) expected.push(r);
  assert.deepEqual(revs(evs), expected);
}
