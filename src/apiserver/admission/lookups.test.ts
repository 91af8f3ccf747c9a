// Admission's cached reads: served from the watch-fed caches once they are in, with upstream's live
// fallbacks (a namespace the cache lacks, a namespace with no LimitRanges or quotas in the cache).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Backend } from '../../storage/backend.js';
import { createBackend } from '../../storage/index.js';
import { cachedReads } from './lookups.js';

/** the memory backend, counting the reads that reach it */
function counting(memory: Backend): { backend: Backend; reads: () => number } {
  let n = 0;
  const backend: Backend = Object.assign(Object.create(memory) as Backend, {
    get: (key: string) => (n++, memory.get(key)),
    list: (prefix: string, o?: Parameters<Backend['list']>[1]) => (n++, memory.list(prefix, o)),
  });
  return { backend, reads: () => n };
}

async function until(ms: number, ok: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await sleep(5);
  }
}

test('cached reads answer from the caches, and go live only for what the cache may not have yet', async (t) => {
  const memory = await createBackend('memory');
  t.after(() => memory.close());
  await memory.create('/registry/core/namespaces/ns1', '{"metadata":{"name":"ns1"}}');
  await memory.create('/registry/core/limitranges/ns1/lr', '{"metadata":{"name":"lr"}}');
  const { backend, reads } = counting(memory);
  let now = 0;
  const r = cachedReads(backend, () => now);
  t.after(() => r.stop());
  await Promise.all(r.caches.map((c) => c.ready()));
  const base = reads();

  // in the caches: no store reads
  assert.equal((await r.get('/registry/core/namespaces/ns1'))?.key, '/registry/core/namespaces/ns1');
  assert.deepEqual(
    (await r.list('/registry/core/limitranges/ns1/')).map((kv) => kv.key),
    ['/registry/core/limitranges/ns1/lr'],
  );
  assert.equal(reads(), base);

  // a namespace the cache has not seen (yet) is read live before it is called missing
  assert.equal(await r.get('/registry/core/namespaces/nope'), undefined);
  assert.equal(reads(), base + 1);

  // none in the cache: listed live once, that answer kept 30 s, then asked again
  assert.deepEqual(await r.list('/registry/core/resourcequotas/ns1/'), []);
  assert.deepEqual(await r.list('/registry/core/resourcequotas/ns1/'), []);
  assert.equal(reads(), base + 2);
  now += 30_001;
  await r.list('/registry/core/resourcequotas/ns1/');
  assert.equal(reads(), base + 3);

  // a write reaches the cache through the watch and is then served from it
  await memory.create('/registry/core/resourcequotas/ns1/q', '{"metadata":{"name":"q"}}');
  await until(1000, () => r.caches.some((c) => c.get('/registry/core/resourcequotas/ns1/q') !== undefined));
  assert.deepEqual(
    (await r.list('/registry/core/resourcequotas/ns1/')).map((kv) => kv.key),
    ['/registry/core/resourcequotas/ns1/q'],
  );
  assert.equal(reads(), base + 3);
  // a live list after a lost compare-and-swap reads the store
  assert.equal((await r.listLive('/registry/core/resourcequotas/ns1/')).length, 1);
  assert.equal(reads(), base + 4);
});
