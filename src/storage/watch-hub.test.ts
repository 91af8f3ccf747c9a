// A watch's progress: the store's newest published revision once every event was handed over,
// nothing while events wait for delivery (a bookmark must never run ahead of an undelivered event).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StorageEvent } from './backend.js';
import { createWatchHub } from './watch-hub.js';

const ev = (key: string, rev: number): StorageEvent => ({ type: 'create', kv: { key, value: 'v', createRevision: rev, modRevision: rev } });
const turn = () => new Promise((r) => setImmediate(r));

test('watch progress follows published revisions of every prefix, never ahead of queued events', async () => {
  const hub = createWatchHub();
  const got: number[] = [];
  const w = hub.add('/pods/', 3, [ev('/pods/a', 2 + 2)], {
    onEvents: (evs) => got.push(...evs.map((e) => e.kv.modRevision)),
    onError() {},
  });
  assert.equal(w.progress?.(), undefined, 'the replay is not delivered yet');
  await turn();
  assert.deepEqual(got, [4]);
  assert.equal(w.progress?.(), 3, 'nothing published yet: its own start');
  hub.publish(ev('/leases/n1', 9)); // another prefix: progress only
  assert.equal(w.progress?.(), 9);
  hub.publish(ev('/pods/b', 10));
  assert.equal(w.progress?.(), undefined, 'its event waits for delivery');
  await turn();
  assert.deepEqual(got, [4, 10]);
  assert.equal(w.progress?.(), 10);
  w.cancel();
  assert.equal(w.progress?.(), undefined);
});
