// Group commit: writes of one turn share a transaction; a failed commit rejects them all and
// leaves the current state as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StorageEvent } from './backend.js';
import { createLogBackend } from './log-backend.js';
import type { LogStore } from './log-store.js';

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
