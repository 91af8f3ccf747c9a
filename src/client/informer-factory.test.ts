import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configMapKind } from '../api/kinds/core/configmap.js';
import type { ConfigMap } from '../api/gen/types.js';
import { createInformerFactory } from './informer-factory.js';
import { createFakeApi } from './testing/fake-api.js';

const cm = (name: string, ns: string, owner: string): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns, labels: { owner } },
});

async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('one shared informer per kind: later callers add indexes, over what is already cached', async () => {
  const api = createFakeApi();
  api.upsert(cm('a', 'x', 'alice'));
  api.upsert(cm('b', 'y', 'bob'));
  const factory = createInformerFactory(api.client);
  const first = factory.for(configMapKind);
  factory.start();
  await factory.whenSynced();
  const byOwner = (o: ConfigMap) => [o.metadata.labels?.['owner'] ?? ''];
  const second = factory.for(configMapKind, { indexers: { byOwner } });
  assert.equal(second, first, 'the same cache');
  assert.deepEqual(
    second.byIndex('byOwner', 'bob').map((o) => o.metadata.name),
    ['b'],
    'the new index covers cached objects',
  );
  api.upsert(cm('c', 'x', 'bob'));
  await until(() => first.byIndex('byOwner', 'bob').length === 2, 'index kept current');
  assert.doesNotThrow(() => factory.for(configMapKind, { indexers: { byOwner } }), 'the same function again is fine');
  assert.throws(() => factory.for(configMapKind, { indexers: { byOwner: () => [] } }), /byOwner is already defined/);
  assert.throws(() => factory.for(configMapKind, { metadataOnly: true }), /metadataOnly=true/);
  assert.equal(api.requests.filter((r) => r.startsWith('GET')).length, 1, 'listed once for all callers');
  assert.match(api.requests[0] ?? '', /^GET \/api\/v1\/configmaps\?/);
  await factory.stop();
});

test('handler registrations: replay for late joiners, hasSynced, remove', async () => {
  const api = createFakeApi();
  api.upsert(cm('a', 'x', 'alice'));
  const factory = createInformerFactory(api.client);
  const inf = factory.for(configMapKind, { namespace: 'x' });
  const early: string[] = [];
  const reg = inf.addHandlers({
    onAdd: (o) => early.push(`add ${o.metadata.name}`),
    onDelete: (o) => early.push(`delete ${o.metadata.name}`),
  });
  assert.equal(reg.hasSynced(), false);
  factory.start();
  await factory.whenSynced();
  assert.equal(reg.hasSynced(), true);
  assert.match(api.requests[0] ?? '', /^GET \/api\/v1\/namespaces\/x\/configmaps\?/);
  const late: string[] = [];
  const lateReg = inf.addHandlers({ onAdd: (o) => late.push(o.metadata.name ?? '') });
  assert.deepEqual(late, ['a'], 'a late registration first sees the cache');
  assert.equal(lateReg.hasSynced(), true);
  reg.remove();
  api.upsert(cm('b', 'x', 'bob'));
  await until(() => late.includes('b'), 'late handler sees b');
  assert.deepEqual(early, ['add a'], 'a removed registration gets nothing more');
  await factory.stop();
});

test('existing: the full-object informer of a path, for a caller that needs less; none for metadata-only or unknown paths', () => {
  const api = createFakeApi();
  const f = createInformerFactory(api.client);
  const full = f.informer('/api/v1/configmaps');
  f.informer('/api/v1/secrets', { metadataOnly: true });
  f.informer('/api/v1/pods', { labelSelector: 'app=web' });
  assert.equal(f.existing('/api/v1/configmaps'), full);
  assert.equal(f.existing('/api/v1/secrets'), undefined);
  assert.equal(f.existing('/api/v1/pods'), undefined);
  assert.equal(f.existing('/api/v1/nodes'), undefined);
});
