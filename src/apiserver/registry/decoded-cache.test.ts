// The decoded-object cache of the write path: a cached object is never changed by what callers do
// with the copies they get, a version written by anyone else is never answered from the cache,
// and the cache stays within its budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyObject } from '../../api/object.js';
import { coreEventKind } from '../../api/kinds/core/event.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import type { KeyValue } from '../../storage/backend.js';
import { createMemoryBackend } from '../../storage/memory/memory-backend.js';
import { decodeStored, encodeForStorage, storedObject, withResourceVersion } from './codec.js';
import { DecodedCache, peekDecoded } from './decoded-cache.js';
import { NoChange, ResourceStore } from './resource-store.js';

function pod(name: string): AnyObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, creationTimestamp: '2026-12-07T00:00:00Z', labels: { app: 'a' } },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
    status: { phase: 'Pending' },
  } as unknown as AnyObject;
}

/** Every cache entry must still be exactly what its stored text decodes to. */
function assertCacheIntact(kv: KeyValue): void {
  const cached = peekDecoded(kv);
  assert.ok(cached, `the version ${kv.modRevision} of ${kv.key} is cached`);
  assert.equal(JSON.stringify(cached), kv.value);
}

test('storedObject: exactly what the stored text decodes to, member order included', () => {
  const obj = pod('p') as AnyObject & { spec: Record<string, unknown> };
  obj.metadata.resourceVersion = '7';
  obj.metadata.managedFields = [{ manager: 'm', operation: 'Update' }];
  obj.spec['dropped'] = undefined;
  const text = encodeForStorage(obj);
  assert.deepStrictEqual(storedObject(obj, text), JSON.parse(text));
  assert.equal(JSON.stringify(storedObject(obj, text)), text);
  const mf = '[{"manager":"kubectl","operation":"Update"}]';
  const withMf = encodeForStorage(obj, mf);
  assert.equal(JSON.stringify(storedObject(obj, withMf, mf)), withMf);
  // something JSON transforms: the text decides
  const odd = { ...obj, status: { when: new Date(0) } } as unknown as AnyObject;
  const oddText = encodeForStorage(odd);
  assert.deepStrictEqual(storedObject(odd, oddText), JSON.parse(oddText));
});

test('a cached object is never changed by callers: update functions, results, old copies and gets', async () => {
  const store = new ResourceStore(podKind, createMemoryBackend());
  const created = pod('p1');
  await store.create(created, false);
  created.metadata.labels!['app'] = 'changed-after-create';
  let kv = (await store.getKv('ns', 'p1'))!;
  assertCacheIntact(kv);

  const r = await store.guaranteedUpdate(
    'ns',
    'p1',
    (cur) => {
      assert.equal(cur.metadata.labels!['app'], 'a');
      (cur['status'] as Record<string, unknown>)['phase'] = 'Running';
      cur.metadata.labels!['app'] = 'b';
      return cur;
    },
    { dryRun: false },
  );
  kv = (await store.getKv('ns', 'p1'))!;
  // the answer's text is what a read of the new version gives, and what the object serializes to
  assert.equal(r.json, withResourceVersion(kv.value, kv.modRevision));
  assert.deepStrictEqual(JSON.parse(r.json), JSON.parse(JSON.stringify(r.obj)));
  r.obj.metadata.labels!['app'] = 'caller-changed-result';
  (r.obj['status'] as Record<string, unknown>)['phase'] = 'Failed';
  kv = (await store.getKv('ns', 'p1'))!;
  assertCacheIntact(kv);

  const got = await store.get('ns', 'p1');
  assert.deepStrictEqual(got.obj, decodeStored(kv.value, kv.modRevision));
  assert.equal(got.obj.metadata.resourceVersion, String(kv.modRevision));
  got.obj.metadata.labels!['app'] = 'changed-get';
  assertCacheIntact(kv);
  assert.equal((await store.get('ns', 'p1')).obj.metadata.labels!['app'], 'b');

  // an update function that keeps pieces of the old object in the new one and changes them
  await store.guaranteedUpdate(
    'ns',
    'p1',
    (cur) => {
      const next = { ...cur, metadata: cur.metadata };
      next.metadata.labels!['app'] = 'c';
      return next;
    },
    { dryRun: false },
  );
  kv = (await store.getKv('ns', 'p1'))!;
  assertCacheIntact(kv);
  assert.equal((await store.get('ns', 'p1')).obj.metadata.labels!['app'], 'c');
});

test('a version written by another writer is never answered from the cache', async () => {
  const backend = createMemoryBackend();
  const store = new ResourceStore(podKind, backend);
  await store.create(pod('p2'), false);
  const mine = (await store.getKv('ns', 'p2'))!;
  // another server (or another store over the same data) writes the object
  const theirs = pod('p2');
  theirs.metadata.labels!['app'] = 'theirs';
  const key = store.key('ns', 'p2');
  const written = await backend.update(key, encodeForStorage(theirs), mine.modRevision);
  assert.equal(peekDecoded(written), undefined);
  assert.equal((await store.get('ns', 'p2')).obj.metadata.labels!['app'], 'theirs');
  await store.guaranteedUpdate(
    'ns',
    'p2',
    (cur) => {
      assert.equal(cur.metadata.labels!['app'], 'theirs');
      cur.metadata.labels!['seen'] = 'yes';
      return cur;
    },
    { dryRun: false },
  );

  // a second backend in the same process with the same key: each store sees its own data
  const other = new ResourceStore(podKind, createMemoryBackend());
  const p = pod('p2');
  p.metadata.labels!['app'] = 'other';
  await other.create(p, false);
  assert.equal((await store.get('ns', 'p2')).obj.metadata.labels!['seen'], 'yes');
  assert.equal((await other.get('ns', 'p2')).obj.metadata.labels!['app'], 'other');
});

test('a racing write between read and write: the update is computed again on the newer version', async () => {
  const backend = createMemoryBackend();
  const store = new ResourceStore(podKind, backend);
  await store.create(pod('p3'), false);
  const key = store.key('ns', 'p3');
  let calls = 0;
  await store.guaranteedUpdate(
    'ns',
    'p3',
    async (cur, kv) => {
      calls++;
      if (calls === 1) {
        const theirs = pod('p3');
        theirs.metadata.labels!['race'] = 'theirs';
        await backend.update(key, encodeForStorage(theirs), kv.modRevision);
      }
      cur.metadata.labels!['mine'] = String(calls);
      return cur;
    },
    { dryRun: false },
  );
  assert.equal(calls, 2);
  const got = (await store.get('ns', 'p3')).obj;
  assert.equal(got.metadata.labels!['race'], 'theirs');
  assert.equal(got.metadata.labels!['mine'], '2');
  assertCacheIntact((await store.getKv('ns', 'p3'))!);
});

test('an update that changes nothing answers a fresh copy, and the cache is untouched', async () => {
  const store = new ResourceStore(podKind, createMemoryBackend());
  await store.create(pod('p5'), false);
  const kv = (await store.getKv('ns', 'p5'))!;
  const same = await store.guaranteedUpdate('ns', 'p5', (cur) => cur, { dryRun: false });
  assert.equal(same.changed, false);
  same.obj.metadata.labels!['app'] = 'changed-by-caller';
  const none = await store.guaranteedUpdate(
    'ns',
    'p5',
    (cur) => {
      cur.metadata.labels!['app'] = 'changed-then-abandoned';
      throw new NoChange();
    },
    { dryRun: false },
  );
  assert.equal(none.obj.metadata.labels!['app'], 'a');
  assert.equal(none.obj.metadata.resourceVersion, String(kv.modRevision));
  assertCacheIntact(kv);
});

test('deletes drop the entry; dry runs leave it alone', async () => {
  const store = new ResourceStore(podKind, createMemoryBackend());
  await store.create(pod('p4'), false);
  const kv = (await store.getKv('ns', 'p4'))!;
  await store.guaranteedUpdate(
    'ns',
    'p4',
    (cur) => {
      cur.metadata.labels!['dry'] = 'run';
      return cur;
    },
    { dryRun: true },
  );
  assertCacheIntact(kv);
  const removed = await store.remove('ns', 'p4', undefined, false);
  assert.equal(removed?.metadata.name, 'p4');
  assert.equal(peekDecoded(kv), undefined);
});

test('Events are not kept decoded (written once, rarely read back by the write path)', async () => {
  const store = new ResourceStore(coreEventKind, createMemoryBackend());
  const ev = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e1', namespace: 'ns', uid: 'uid-e1', creationTimestamp: '2026-12-07T00:00:00Z' },
    involvedObject: { kind: 'Pod', namespace: 'ns', name: 'p' },
    reason: 'Scheduled',
    message: 'm',
    type: 'Normal',
  } as unknown as AnyObject;
  await store.create(ev, false);
  assert.equal(peekDecoded((await store.getKv('ns', 'e1'))!), undefined);
});

test('the cache keeps the most recently used entries within its budget of stored text', () => {
  const c = new DecodedCache(100);
  const kv = (key: string, value: string): KeyValue => ({ key, value, createRevision: 1, modRevision: 1 });
  const o = {} as AnyObject;
  c.remember('/a', 'x'.repeat(40), o);
  c.remember('/b', 'y'.repeat(40), o);
  assert.equal(c.peek(kv('/a', 'x'.repeat(40))), o); // /a is now the most recent
  c.remember('/c', 'z'.repeat(40), o); // over budget: /b goes
  assert.equal(c.peek(kv('/b', 'y'.repeat(40))), undefined);
  assert.equal(c.peek(kv('/a', 'x'.repeat(40))), o);
  assert.equal(c.peek(kv('/a', 'other text')), undefined);
  c.remember('/big', 'w'.repeat(101), o);
  assert.equal(c.peek(kv('/big', 'w'.repeat(101))), undefined);
  const s = c.stats();
  assert.equal(s.entries, 2);
  assert.equal(s.chars, 80);
});
