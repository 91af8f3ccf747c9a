// Group commit: writes of one turn share a transaction; a failed commit rejects them all and
// leaves the current state as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StorageEvent } from './backend.js';
import { createLogBackend } from './log-backend.js';
import { StorageSyncError, type LogStore } from './log-store.js';

function fakeStore(fail: () => boolean): LogStore & { batches: number[] } {
  const batches: number[] = [];
  return {
    batches,
    compacted: 0,
    append() {
      throw new Error('appendMany expected');
    },
    appendMany(evs: readonly StorageEvent[]) {
      if (fail()) throw new Error('disk full');
      batches.push(evs.length);
    },
    eventsAfter: () => [],
    compact: async () => undefined,
    close: async () => undefined,
  };
}

test('the writes of one turn are committed together and acknowledged after the commit', async () => {
  const store = fakeStore(() => false);
  const b = createLogBackend({ name: 'fake', store, current: [], revision: 0 });
  const writes = await Promise.all([b.create('/a', '1'), b.create('/b', '2'), b.create('/c', '3')]);
  assert.deepEqual(
    writes.map((kv) => kv.modRevision),
    [1, 2, 3],
  );
  assert.deepEqual(store.batches, [3]);
  await b.create('/d', '4');
  assert.deepEqual(store.batches, [3, 1]);
});

test('a failed commit rejects every write of its batch and rolls the state back', async () => {
  let failNext = false;
  const store = fakeStore(() => failNext);
  const b = createLogBackend({ name: 'fake', store, current: [], revision: 0 });
  const a = await b.create('/a', '1');
  failNext = true;
  const results = await Promise.allSettled([b.update('/a', '2', a.modRevision), b.create('/b', 'x'), b.delete('/a')]);
  assert.ok(results.every((r) => r.status === 'rejected'));
  failNext = false;
  assert.equal((await b.get('/a'))?.value, '1');
  assert.equal(await b.get('/b'), undefined);
  assert.equal(await b.currentRevision(), 1);
  const next = await b.update('/a', '3', 1);
  assert.equal(next.modRevision, 2);
});

/** A store whose syncs resolve when the test says so. */
function syncingStore() {
  const log: StorageEvent[] = [];
  const batches: number[] = [];
  const syncs: Array<{ covers: number; resolve: () => void; reject: (e: Error) => void }> = [];
  const store: LogStore = {
    compacted: 0,
    append() {
      throw new Error('appendMany expected');
    },
    appendMany(evs) {
      log.push(...evs);
      batches.push(evs.length);
    },
    sync() {
      return new Promise<void>((resolve, reject) => syncs.push({ covers: log.length, resolve, reject }));
    },
    eventsAfter: (prefix, after) => log.filter((ev) => ev.kv.modRevision > after && ev.kv.key.startsWith(prefix)),
    compact: async () => undefined,
    close: async () => undefined,
  };
  return { store, log, batches, syncs };
}
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

test('with sync(): writes are acknowledged and watched only after their sync; writes during a sync share the next one', async () => {
  const s = syncingStore();
  const b = createLogBackend({ name: 'fake', store: s.store, current: [], revision: 0 });
  const seen: number[] = [];
  b.watch('/', 0, { onEvents: (evs) => seen.push(...evs.map((e) => e.kv.modRevision)), onError: () => undefined });
  const acked: number[] = [];
  const ack = (p: Promise<{ modRevision: number }>) => void p.then((kv) => acked.push(kv.modRevision));
  ack(b.create('/a', '1'));
  ack(b.create('/b', '2'));
  await turn();
  assert.deepEqual(s.batches, [2]);
  assert.equal(s.syncs.length, 1);
  // committed, not yet synced: readable, but neither acknowledged nor delivered
  assert.equal((await b.get('/a'))?.value, '1');
  await turn();
  assert.deepEqual(acked, []);
  assert.deepEqual(seen, []);
  // three writes in three turns while the sync is in flight: one transaction, one sync, after it
  ack(b.create('/c', '3'));
  await turn();
  ack(b.create('/d', '4'));
  await turn();
  ack(b.create('/e', '5'));
  await turn();
  assert.deepEqual(s.batches, [2], 'nothing is committed while a sync is in flight');
  // a watch that starts now replays only what is durable, and gets the rest when it is
  const late: number[] = [];
  b.watch('/', 0, { onEvents: (evs) => late.push(...evs.map((e) => e.kv.modRevision)), onError: () => undefined });
  s.syncs[0]!.resolve();
  await turn();
  assert.deepEqual(acked, [1, 2]);
  assert.deepEqual(seen, [1, 2]);
  assert.deepEqual(s.batches, [2, 3]);
  assert.equal(s.syncs.length, 2);
  assert.equal(s.syncs[1]!.covers, 5);
  s.syncs[1]!.resolve();
  await turn();
  assert.deepEqual(acked, [1, 2, 3, 4, 5]);
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  assert.deepEqual(late, [1, 2, 3, 4, 5], 'no gap, no duplicate');
  // close waits for the sync of what it accepted
  ack(b.create('/f', '6'));
  const closing = b.close();
  await turn();
  assert.equal(s.syncs.length, 3);
  s.syncs[2]!.resolve();
  await closing;
  assert.deepEqual(acked, [1, 2, 3, 4, 5, 6]);
});

test('a failed sync rejects its writes and every later request; watchers end', async () => {
  const s = syncingStore();
  const b = createLogBackend({ name: 'fake', store: s.store, current: [], revision: 0 });
  let ended: Error | undefined;
  b.watch('/', 0, { onEvents: () => undefined, onError: (e) => (ended = e) });
  const first = b.create('/a', '1');
  await turn();
  const queued = b.create('/b', '2');
  s.syncs[0]!.reject(new Error('EIO'));
  await assert.rejects(first, (e: unknown) => e instanceof StorageSyncError && /EIO.*restart the server/.test(e.message));
  await assert.rejects(queued, StorageSyncError);
  await assert.rejects(b.create('/c', '3'), StorageSyncError);
  await assert.rejects(b.get('/a'), StorageSyncError);
  await turn();
  assert.ok(ended instanceof StorageSyncError);
  await b.close();
});
