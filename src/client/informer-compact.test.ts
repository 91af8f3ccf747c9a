import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStringTable } from './informer-compact.js';
import { createInformer } from './informer.js';
import type { AnyObject } from '../api/object.js';
import { createFakeApi } from './testing/fake-api.js';

const pod = (name: string, node: string, uid: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', uid, resourceVersion: uid.slice(-3), labels: { app: 'web' } },
  spec: { nodeName: node, containers: [{ name: 'web', image: 'registry.example.com/web:1', args: ['--port', '80'] }] },
  status: { podIP: `10.0.0.${uid.slice(-1)}`, conditions: [{ type: 'Ready', status: 'True' }] },
});

test('compacting leaves objects as they were and collects only values that can repeat', () => {
  const t = createStringTable();
  const a = pod('web-1', 'node-1', 'uid-001');
  const b = pod('web-2', 'node-1', 'uid-002');
  const before = structuredClone([a, b]);
  assert.equal(t.compact(a), a);
  t.compact(b);
  assert.deepEqual([a, b], before);
  // shared: v1, Pod, shop, web (label, container name), node-1, the image, --port, 80, Ready, True;
  // never collected: metadata.name, uid, resourceVersion, podIP (unique per object or per write)
  assert.equal(t.size(), 10);
  t.compact(pod('web-3', 'node-2', 'uid-003'));
  assert.equal(t.size(), 11, 'only the new node name was added');
});

test('the table starts afresh when full, and skips long strings', () => {
  const t = createStringTable(4);
  t.compact({ spec: { a: 'x1', b: 'x2', c: 'x3', d: 'x4' } });
  assert.equal(t.size(), 4);
  t.compact({ spec: { e: 'x5' } });
  assert.equal(t.size(), 1);
  t.compact({ spec: { long: 'y'.repeat(300), nested: [[['deep']]] } });
  assert.equal(t.size(), 2);
});

test('informer caches hold the same objects with compaction on and off', async () => {
  const api = createFakeApi('Pod');
  for (let i = 0; i < 20; i++) api.upsert(pod(`web-${i}`, `node-${i % 3}`, `uid-${100 + i}`));
  const on = createInformer<AnyObject>(api.client, { path: '/api/v1/pods', pageSize: 7 });
  const off = createInformer<AnyObject>(api.client, { path: '/api/v1/pods', pageSize: 7, compact: false });
  on.start();
  off.start();
  await Promise.all([on.whenSynced(), off.whenSynced()]);
  api.upsert({ ...pod('web-0', 'node-2', 'uid-100'), status: { phase: 'Running' } } as AnyObject);
  const phase = (o: AnyObject | undefined) => (o?.['status'] as { phase?: string } | undefined)?.phase;
  const end = Date.now() + 3000;
  while (phase(on.get('shop/web-0')) !== 'Running' || phase(off.get('shop/web-0')) !== 'Running') {
    if (Date.now() > end) throw new Error('the watch event did not arrive');
    await new Promise((r) => setTimeout(r, 5));
  }
  const sorted = (xs: { metadata: { name?: string } }[]) =>
    [...xs].sort((x, y) => (x.metadata.name ?? '').localeCompare(y.metadata.name ?? ''));
  assert.deepEqual(sorted(on.list()), sorted(off.list()));
  await on.stop();
  await off.stop();
});
