import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allKinds } from '../../api/kinds/index.js';
import type { AnyObject } from '../../api/object.js';
import { StatusError } from '../../base/errors.js';
import { createMemoryBackend } from '../../storage/memory/memory-backend.js';
import { createAdmission } from './admission.js';
import { createServiceAllocator } from './service-alloc.js';

const kind = (k: string) => allKinds.find((x) => x.group === '' && x.kind === k)!;
const obj = (name: string, namespace: string) =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } }) as unknown as AnyObject;

test('no new objects in a missing or terminating namespace (Events still allowed); the answer follows the namespace', async () => {
  const backend = createMemoryBackend();
  const adm = createAdmission(backend, createServiceAllocator({ backend }));
  const key = '/registry/core/namespaces/shop';
  const status = (e: unknown) => (e instanceof StatusError ? e.code : 0);
  await assert.rejects(adm.beforeCreate(kind('ConfigMap'), obj('a', 'shop'), false), (e) => status(e) === 404);
  const kv = await backend.create(key, JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }));
  await adm.beforeCreate(kind('ConfigMap'), obj('a', 'shop'), false);
  const kv2 = await backend.update(
    key,
    JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', deletionTimestamp: '2026-11-26T07:00:00Z' } }),
    kv.modRevision,
  );
  await assert.rejects(
    adm.beforeCreate(kind('ConfigMap'), obj('b', 'shop'), false),
    (e) => status(e) === 403 && /being terminated/.test((e as Error).message),
  );
  await adm.beforeCreate(kind('Event'), obj('e', 'shop'), false);
  // the namespace comes back without a deletion mark (a new stored version): creates pass again
  await backend.update(key, JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }), kv2.modRevision);
  await adm.beforeCreate(kind('ConfigMap'), obj('c', 'shop'), false);
  await backend.close();
});
