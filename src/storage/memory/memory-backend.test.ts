import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runConformance } from '../testing/conformance.js';
import { CompactedError } from '../backend.js';
import { createMemoryBackend } from './memory-backend.js';

runConformance('memory', async () => createMemoryBackend());

test('memory: history beyond historyLimit is compacted', async () => {
  const b = createMemoryBackend({ historyLimit: 5 });
  for (let i = 1; i <= 12; i++) await b.create(`/k/${i}`, `${i}`);
  assert.equal(await b.compactedRevision(), 7);
  assert.throws(() => b.watch('', 6, { onEvents() {}, onError() {} }), CompactedError);
  await assert.rejects(b.list('/k/', { revision: 6 }), CompactedError);
  assert.equal((await b.list('/k/', { revision: 7 })).kvs.length, 7);
  const got: number[] = [];
  const w = b.watch('', 7, {
    onEvents(evs) {
      got.push(...evs.map((e) => e.kv.modRevision));
    },
    onError() {},
  });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(got, [8, 9, 10, 11, 12]);
  w.cancel();
  assert.equal(await b.count('/k/'), 12);
  await b.close();
});

test('memory: automatic compaction keeps retainRevisions', async () => {
  const b = createMemoryBackend({ compactInterval: 10, retainRevisions: 3 });
  for (let i = 1; i <= 10; i++) await b.create(`/a/${i}`, `${i}`);
  const deadline = Date.now() + 2000;
  while ((await b.compactedRevision()) !== 7 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(await b.compactedRevision(), 7);
  await b.close();
});
