// The watch-fed store cache: writes through the backend appear, deletes go, a watch that ends
// (compaction) is followed by a relist that leaves the copy equal to the store.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CompactedError, type Backend, type WatchHandlers } from '../../storage/backend.js';
import { createBackend } from '../../storage/index.js';
import { StoreCache } from './store-cache.js';

async function until(ms: number, ok: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await sleep(5);
  }
}

const keysOf = (c: StoreCache, dir: string) => c.list(dir).map((kv) => kv.key);

test('writes through the backend appear in the cache, in their directory, at their revision', async (t) => {
  const backend = await createBackend('memory');
  t.after(() => backend.close());
  await backend.create('/registry/core/limitranges/a/before', '{"v":0}');
  await backend.create('/registry/core/other/a/x', '{}');
  const cache = new StoreCache(backend, '/registry/core/limitranges/');
  t.after(() => cache.stop());
  await cache.ready();
  assert.deepEqual(keysOf(cache, '/registry/core/limitranges/a/'), ['/registry/core/limitranges/a/before']);
  assert.equal(cache.get('/registry/core/other/a/x'), undefined);

  const c = await backend.create('/registry/core/limitranges/b/one', '{"v":1}');
  await until(1000, () => cache.get(c.key) !== undefined);
  assert.equal(cache.get(c.key)?.value, '{"v":1}');
  assert.equal(cache.revision, c.modRevision);
  const u = await backend.update(c.key, '{"v":2}', c.modRevision);
  await until(1000, () => cache.get(c.key)?.modRevision === u.modRevision);
  assert.equal(cache.get(c.key)?.value, '{"v":2}');
  await backend.delete('/registry/core/limitranges/a/before');
  await until(1000, () => keysOf(cache, '/registry/core/limitranges/a/').length === 0);
  assert.deepEqual(keysOf(cache, '/registry/core/limitranges/b/'), [c.key]);
  assert.equal(cache.listCount, 1);
});

test('a watch ended by compaction is followed by a relist that matches the store', async (t) => {
  const memory = await createBackend('memory');
  t.after(() => memory.close());
  // the backend as is, but the test holds the cache's watch: it can stop it and end it with an error
  let handlers: WatchHandlers | undefined;
  let cancelInner: (() => void) | undefined;
  const backend: Backend = Object.assign(Object.create(memory) as Backend, {
    watch(prefix: string, after: number, h: WatchHandlers) {
      handlers = h;
      const w = memory.watch(prefix, after, h);
      cancelInner = () => w.cancel();
      return w;
    },
  });
  const dir = '/registry/core/namespaces/';
  await memory.create(`${dir}a`, '{}');
  const cache = new StoreCache(backend, dir);
  t.after(() => cache.stop());
  await cache.ready();
  const b = await memory.create(`${dir}b`, '{}');
  await until(1000, () => cache.get(b.key) !== undefined);

  // the cache misses these (its watch is gone), then the history is compacted away
  cancelInner?.();
  await memory.delete(`${dir}a`);
  const c = await memory.create(`${dir}c`, '{"v":"c"}');
  await memory.compact(await memory.currentRevision());
  assert.ok(cache.get(`${dir}a`), 'the stale copy still has a');
  handlers?.onError(new CompactedError(b.modRevision, c.modRevision));

  await until(2000, () => cache.listCount === 2);
  assert.deepEqual(keysOf(cache, dir), [`${dir}b`, `${dir}c`]);
  assert.equal(cache.get(`${dir}c`)?.value, '{"v":"c"}');
  assert.ok(cache.revision >= c.modRevision);
  // and the new watch carries on
  const d = await memory.create(`${dir}d`, '{}');
  await until(1000, () => cache.get(d.key) !== undefined);
});

test('a store that fails the first list is retried; a closed backend ends the cache', async (t) => {
  const memory = await createBackend('memory');
  let failures = 2;
  const backend: Backend = Object.assign(Object.create(memory) as Backend, {
    list(prefix: string) {
      if (failures-- > 0) return Promise.reject(new Error('unreachable'));
      return memory.list(prefix);
    },
  });
  await memory.create('/p/x', '{}');
  const cache = new StoreCache(backend, '/p/');
  t.after(() => cache.stop());
  assert.equal(cache.isReady, false);
  // the cache's retry timer does not hold the process open (a server does): the test must
  const alive = setInterval(() => undefined, 1000);
  t.after(() => clearInterval(alive));
  await cache.ready();
  assert.deepEqual(keysOf(cache, '/p/'), ['/p/x']);
  await memory.close();
  await sleep(50);
  assert.equal(cache.listCount, 1, 'no relist after the backend closed');
});
