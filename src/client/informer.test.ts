import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyObject } from '../api/object.js';
import { createInformer, type Informer } from './informer.js';
import { createFakeApi } from './testing/fake-api.js';
import { diffSnapshot } from './relist-diff.js';

const cm = (name: string, ns = 'default', data: Record<string, string> = {}): AnyObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns },
  data,
});

async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function recorder(inf: Informer<AnyObject>) {
  const events: string[] = [];
  inf.onAdd((o) => events.push(`add ${o.metadata.namespace}/${o.metadata.name}`));
  inf.onUpdate((_a, o) => events.push(`update ${o.metadata.namespace}/${o.metadata.name} ${JSON.stringify(o['data'])}`));
  inf.onDelete((o) => events.push(`delete ${o.metadata.namespace}/${o.metadata.name}`));
  return events;
}

const fastBackoff = { initialMs: 5, factor: 2, maxMs: 50 };

test('lists in pages, then watches from the list version', async () => {
  const api = createFakeApi();
  for (let i = 0; i < 5; i++) api.upsert(cm(`c${i}`, i % 2 ? 'a' : 'b'));
  const inf = createInformer(api.client, { path: '/api/v1/configmaps', pageSize: 2, backoff: fastBackoff });
  const events = recorder(inf);
  inf.start();
  await inf.whenSynced();
  assert.equal(inf.hasSynced(), true);
  assert.equal(inf.list().length, 5);
  assert.equal(api.requests.filter((r) => r.startsWith('GET')).length, 3, 'three pages of two');
  assert.deepEqual(
    inf
      .byNamespace('a')
      .map((o) => o.metadata.name)
      .sort(),
    ['c1', 'c3'],
  );
  assert.equal(inf.get('b/c4')?.kind, 'ConfigMap');
  await until(() => api.openWatches() === 1, 'watch');
  assert.match(api.requests.at(-1)!, /^WATCH \/api\/v1\/configmaps\?watch=true&resourceVersion=6&allowWatchBookmarks=true/);
  api.upsert(cm('c9', 'a'));
  await until(() => events.includes('add a/c9'), 'add of c9');
  assert.equal(inf.byNamespace('a').length, 3);
  api.remove('a/c1');
  await until(() => events.includes('delete a/c1'), 'delete of c1');
  assert.equal(inf.get('a/c1'), undefined);
  assert.equal(inf.byNamespace('a').length, 2);
  const late: string[] = [];
  inf.onAdd((o) => late.push(o.metadata.name ?? ''));
  assert.deepEqual(late.sort(), ['c0', 'c2', 'c3', 'c4', 'c9'], 'a late handler first sees the cache');
  await inf.stop();
  assert.equal(api.openWatches(), 0);
});

test('relists after a 410 and emits the differences so nothing is missed', async () => {
  const api = createFakeApi();
  api.upsert(cm('keep'));
  api.upsert(cm('change'));
  api.upsert(cm('drop'));
  const inf = createInformer(api.client, { path: '/api/v1/configmaps', backoff: fastBackoff });
  const events = recorder(inf);
  inf.start();
  await inf.whenSynced();
  await until(() => api.openWatches() === 1, 'watch');
  events.length = 0;
  // changes the watch never delivers, then history is compacted and the watch expires
  api.hold(true);
  api.upsert(cm('change', 'default', { v: '2' }));
  api.remove('default/drop');
  api.upsert(cm('new'));
  api.compact();
  api.hold(false);
  api.expireWatches();
  await until(() => events.length >= 3, 'synthetic events');
  assert.deepEqual(events.sort(), ['add default/new', 'delete default/drop', 'update default/change {"v":"2"}']);
  assert.deepEqual(
    inf
      .list()
      .map((o) => o.metadata.name)
      .sort(),
    ['change', 'keep', 'new'],
  );
  assert.equal(inf.stats().lists, 2);
  // and it keeps watching from the new list's version
  await until(() => api.openWatches() === 1, 'new watch');
  api.upsert(cm('later'));
  await until(() => events.includes('add default/later'), 'add after relist');
  await inf.stop();
});

test('a watch that starts below the compacted version relists; failed requests are retried', async () => {
  const api = createFakeApi();
  api.upsert(cm('x'));
  const inf = createInformer(api.client, { path: '/api/v1/configmaps', backoff: fastBackoff });
  const events = recorder(inf);
  inf.start();
  await inf.whenSynced();
  await until(() => api.openWatches() === 1, 'watch');
  // the watch closes cleanly; while it is down the object changes and history is compacted
  api.hold(true);
  api.closeWatches();
  api.upsert(cm('x', 'default', { v: 'b' }));
  api.compact();
  api.hold(false);
  await until(() => events.some((e) => e.startsWith('update default/x')), 'update after re-watch');
  assert.ok(inf.stats().lists >= 2);
  // failures of the list and watch requests back off and recover
  api.failNext(3);
  api.expireWatches();
  api.upsert(cm('y'));
  await until(() => inf.get('default/y') !== undefined && api.openWatches() === 1, 'recovery');
  await inf.stop();
});

test('a re-created object (new uid) is a delete and an add', () => {
  const a = { ...cm('n'), metadata: { name: 'n', namespace: 'd', uid: '1', resourceVersion: '3' } };
  const b = { ...cm('n'), metadata: { name: 'n', namespace: 'd', uid: '2', resourceVersion: '9' } };
  const same = { ...a };
  const changes = diffSnapshot(new Map([['d/n', a]]), new Map([['d/n', b]]));
  assert.deepEqual(
    changes.map((c) => c.type),
    ['delete', 'add'],
  );
  assert.equal(diffSnapshot(new Map([['d/n', a]]), new Map([['d/n', same]])).length, 0);
});
