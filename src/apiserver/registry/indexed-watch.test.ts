// Per-node pod watches on one shared stream: each gets the events of its node's pods only (both
// sides of a move), joins without gaps or repeats, and leaves cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { configMapKind } from '../../api/kinds/core/configmap.js';
import type { AnyObject } from '../../api/object.js';
import type { StorageEvent } from '../../storage/backend.js';
import { createMemoryBackend } from '../../storage/memory/memory-backend.js';
import { indexedTerm, watchIndexed } from './indexed-watch.js';
import { ResourceStore } from './resource-store.js';

const pod = (name: string, node?: string) =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'd', uid: name, creationTimestamp: '2026-12-07T11:00:00Z' },
    spec: { containers: [{ name: 'c', image: 'i' }], ...(node ? { nodeName: node } : {}) },
  }) as unknown as AnyObject;
const tick = () => new Promise((r) => setImmediate(r));

test('indexedTerm: an exact spec.nodeName of pods only', () => {
  assert.deepEqual(indexedTerm(podKind, 'spec.nodeName=n1,status.phase!=Failed'), { field: 'spec.nodeName', value: 'n1' });
  assert.equal(indexedTerm(podKind, 'spec.nodeName!=n1'), undefined);
  assert.equal(indexedTerm(podKind, null), undefined);
  assert.equal(indexedTerm(configMapKind, 'metadata.name=x'), undefined);
});

test('node watches share one stream and see only their pods, moves on both sides', async () => {
  const backend = createMemoryBackend();
  const store = new ResourceStore(podKind, backend);
  const got = new Map<string, string[]>();
  const rec = (node: string) => (evs: StorageEvent[]) => {
    for (const ev of evs) got.set(node, [...(got.get(node) ?? []), `${ev.type}:${ev.kv.key.split('/').pop() ?? ''}@${ev.kv.modRevision}`]);
  };
  const errors: Error[] = [];
  const rev0 = await backend.currentRevision();
  const w1 = watchIndexed(store, 'spec.nodeName', 'n1', rev0, rec('n1'), (e) => errors.push(e));
  const w2 = watchIndexed(store, 'spec.nodeName', 'n2', rev0, rec('n2'), (e) => errors.push(e));
  watchIndexed(store, 'spec.nodeName', '', rev0, rec(''), (e) => errors.push(e));
  await store.create(pod('a', 'n1'), false);
  await store.create(pod('b'), false);
  await store.guaranteedUpdate('d', 'b', (cur) => ({ ...cur, spec: { ...(cur['spec'] as object), nodeName: 'n2' } }) as AnyObject, {
    dryRun: false,
  });
  await store.create(pod('c', 'n3'), false);
  await tick();
  assert.deepEqual(got.get('n1'), ['create:a@1']);
  assert.deepEqual(got.get('n2'), ['update:b@3']);
  assert.deepEqual(got.get(''), ['create:b@2', 'update:b@3']);
  // a watcher from the current revision joins the running stream; one from an older revision catches
  // up from its own watch first (every pod event since its start: the handler filters), then shares it
  const now = await backend.currentRevision();
  watchIndexed(store, 'spec.nodeName', 'n3', now, rec('n3'), (e) => errors.push(e));
  const late = watchIndexed(store, 'spec.nodeName', 'n3', 1, rec('late'), (e) => errors.push(e));
  await tick();
  assert.deepEqual(got.get('late'), ['create:b@2', 'update:b@3', 'create:c@4']);
  await store.remove('d', 'c', undefined, false);
  await store.create(pod('d', 'n1'), false);
  await tick();
  assert.deepEqual(got.get('n3'), ['delete:c@5']);
  assert.deepEqual(got.get('late'), ['create:b@2', 'update:b@3', 'create:c@4', 'delete:c@5']);
  late.cancel();
  assert.deepEqual(got.get('n1'), ['create:a@1', 'create:d@6']);
  w1.cancel();
  await store.create(pod('e', 'n1'), false);
  await tick();
  assert.deepEqual(got.get('n1'), ['create:a@1', 'create:d@6']);
  // the last one leaving closes the stream; closing the backend ends the others with an error
  w2.cancel();
  await backend.close();
  await tick();
  assert.equal(errors.length, 2);
});
