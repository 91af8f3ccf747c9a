import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryBackend } from '../../storage/memory/memory-backend.js';
import { versionedBackend, withApiVersion } from './storage-version.js';

test('withApiVersion splices the leading apiVersion only', () => {
  assert.equal(withApiVersion('{"apiVersion":"g.io/v1","kind":"K"}', 'g.io/v1beta1'), '{"apiVersion":"g.io/v1beta1","kind":"K"}');
  const same = '{"apiVersion":"g.io/v1","kind":"K"}';
  assert.equal(withApiVersion(same, 'g.io/v1'), same);
  assert.equal(withApiVersion('{"kind":"K"}', 'g.io/v1'), '{"kind":"K"}');
});

test('a served version writes at the storage version and reads at its own', async () => {
  const raw = createMemoryBackend();
  const beta = versionedBackend(raw, 'g.io/v1beta1', 'g.io/v1');
  const v1 = versionedBackend(raw, 'g.io/v1', 'g.io/v1');
  const created = await beta.create('/registry/g.io/things/a', '{"apiVersion":"g.io/v1beta1","kind":"Thing","metadata":{}}');
  assert.match(created.value, /^\{"apiVersion":"g.io\/v1beta1"/);
  assert.match((await raw.get('/registry/g.io/things/a'))!.value, /^\{"apiVersion":"g.io\/v1"/);
  assert.match((await v1.get('/registry/g.io/things/a'))!.value, /^\{"apiVersion":"g.io\/v1"/);
  const seen: string[] = [];
  const w = beta.watch('/registry/g.io/things/', created.modRevision, {
    onEvents: (evs) => seen.push(...evs.map((e) => e.kv.value)),
    onError: () => undefined,
  });
  await v1.update(
    '/registry/g.io/things/a',
    '{"apiVersion":"g.io/v1","kind":"Thing","metadata":{"labels":{"a":"b"}}}',
    created.modRevision,
  );
  for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  w.cancel();
  assert.match(seen[0] ?? '', /^\{"apiVersion":"g.io\/v1beta1".*"labels"/);
  assert.match((await beta.list('/registry/g.io/things/')).kvs[0]!.value, /^\{"apiVersion":"g.io\/v1beta1"/);
  await raw.close();
});

test('objects read back go through onRead once per stored version; answers to writes do not', async () => {
  const raw = createMemoryBackend();
  let calls = 0;
  const view = versionedBackend(raw, 'g.io/v1', 'g.io/v1', (o) => {
    calls++;
    const spec = (o['spec'] ??= {}) as Record<string, unknown>;
    spec['shape'] ??= 'round';
  });
  const created = await view.create('/registry/g.io/things/a', '{"apiVersion":"g.io/v1","kind":"Thing","metadata":{},"spec":{}}');
  assert.equal(created.value, '{"apiVersion":"g.io/v1","kind":"Thing","metadata":{},"spec":{}}');
  assert.equal(calls, 0);
  assert.equal(
    (await view.get('/registry/g.io/things/a'))!.value,
    '{"apiVersion":"g.io/v1","kind":"Thing","metadata":{},"spec":{"shape":"round"}}',
  );
  const seen: string[] = [];
  const handlers = { onEvents: (evs: { kv: { value: string } }[]) => seen.push(...evs.map((e) => e.kv.value)), onError: () => undefined };
  const w1 = view.watch('/registry/g.io/things/', created.modRevision, handlers);
  const w2 = view.watch('/registry/g.io/things/', created.modRevision, handlers);
  const before = calls;
  await raw.update(
    '/registry/g.io/things/a',
    '{"apiVersion":"g.io/v1","kind":"Thing","metadata":{"labels":{"a":"b"}},"spec":{}}',
    created.modRevision,
  );
  for (let i = 0; i < 50 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  w1.cancel();
  w2.cancel();
  assert.equal(seen.length, 2);
  assert.ok(seen.every((v) => v.includes('"shape":"round"')));
  assert.ok(calls - before <= 2, 'the new version and its predecessor, once each, for both watchers');
  await raw.close();
});

test('a conversion converts every write to the storage version and every read back', async () => {
  const raw = createMemoryBackend();
  // v1 keeps `size` as a string, the stored v2 as a number
  const conv = versionedBackend(raw, 'g.io/v1', 'g.io/v2', undefined, {
    toStorage: (o) => ({ ...o, apiVersion: 'g.io/v2', size: Number(o['size']) }),
    fromStorage: (o) => ({ ...o, apiVersion: 'g.io/v1', size: String(o['size']) }),
  });
  const created = await conv.create('/registry/g.io/things/a', '{"apiVersion":"g.io/v1","kind":"Thing","metadata":{},"size":"3"}');
  assert.deepEqual(JSON.parse(created.value), { apiVersion: 'g.io/v1', kind: 'Thing', metadata: {}, size: '3' });
  assert.equal((await raw.get('/registry/g.io/things/a'))!.value, '{"apiVersion":"g.io/v2","kind":"Thing","metadata":{},"size":3}');
  assert.equal(JSON.parse((await conv.list('/registry/g.io/things/')).kvs[0]!.value).size, '3');
  const updated = await conv.update(
    '/registry/g.io/things/a',
    '{"apiVersion":"g.io/v1","kind":"Thing","metadata":{},"size":"4"}',
    created.modRevision,
  );
  assert.equal(JSON.parse(updated.value).size, '4');
  assert.match((await raw.get('/registry/g.io/things/a'))!.value, /"size":4\}$/);
  await raw.close();
});
