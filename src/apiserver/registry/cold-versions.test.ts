// The API server's store over versions the backend keeps deflated (src/storage/cold-values.ts):
// reads, selectors, updates, deletes and a watch replaying a delete see the same objects as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import type { AnyObject } from '../../api/object.js';
import type { StorageEvent } from '../../storage/backend.js';
import { isPacked } from '../../storage/cold-values.js';
import { createMemoryBackend } from '../../storage/memory/memory-backend.js';
import { compileFilter } from './filters.js';
import { jsonOf, objectOf, ResourceStore } from './resource-store.js';

const pod = (name: string, node: string) =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'd', uid: `uid-${name}`, labels: { app: 'web' }, creationTimestamp: '2026-12-07T11:00:00Z' },
    spec: {
      nodeName: node,
      containers: [{ name: 'c', image: 'nginx:1.25', terminationMessagePath: '/dev/termination-log', imagePullPolicy: 'IfNotPresent' }],
      tolerations: ['not-ready', 'unreachable'].map((t) => ({ key: `node.kubernetes.io/${t}`, operator: 'Exists', effect: 'NoExecute' })),
    },
    status: {
      phase: 'Running',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
        type,
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: '2026-12-07T11:00:01Z',
      })),
    },
  }) as unknown as AnyObject;

const until = async (what: string, ok: () => Promise<boolean>) => {
  for (let i = 0; i < 100; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
};

test('packed versions read, filter, update, delete and replay as plain ones', async () => {
  const backend = createMemoryBackend({ coldAfterMs: 1 });
  const store = new ResourceStore(podKind, backend);
  for (let i = 0; i < 20; i++) await store.create(pod(`p${i}`, i % 2 ? 'n1' : 'n2'), false);
  const plain = new Map((await backend.list('/registry/core/pods/')).kvs.map((kv) => [kv.key, jsonOf(kv)]));
  const rev0 = await backend.currentRevision();
  await until('every pod packed', async () => (await backend.list('/registry/core/pods/')).kvs.every(isPacked));

  const kvs = (await backend.list('/registry/core/pods/')).kvs;
  assert.deepEqual(new Map(kvs.map((kv) => [kv.key, jsonOf(kv)])), plain);
  const p3 = await store.get('d', 'p3');
  assert.equal((p3.obj['spec'] as { nodeName: string }).nodeName, 'n1');
  assert.equal(p3.obj.metadata.resourceVersion, String(kvs.find((k) => k.key.endsWith('/p3'))?.modRevision));

  const onN1 = compileFilter(podKind, 'app=web', 'spec.nodeName=n1');
  assert.ok(onN1);
  assert.equal(kvs.filter(onN1).length, 10);

  await store.guaranteedUpdate(
    'd',
    'p3',
    (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { app: 'web', v: '2' } } }) as AnyObject,
    { dryRun: false },
  );
  const after = (await backend.get('/registry/core/pods/d/p3'))!;
  assert.equal(isPacked(after), false, 'a write makes the key plain');
  assert.deepEqual(objectOf(after).metadata.labels, { app: 'web', v: '2' });

  // a watch from before the packing replays the delete of a packed version with its last object
  await store.remove('d', 'p4', undefined, false);
  const seen: StorageEvent[] = [];
  const w = store.watch(
    'd',
    rev0,
    (evs) => seen.push(...evs),
    (e) => assert.fail(e),
  );
  await until('the replay', async () => seen.length >= 2);
  w.cancel();
  const del = seen.find((e) => e.type === 'delete');
  assert.ok(del && del.type === 'delete');
  assert.ok(isPacked(del.prev), 'the delete carries the packed version it replaced');
  assert.equal(objectOf(del.prev).metadata.name, 'p4');
  assert.equal({ ...del.prev, modRevision: del.kv.modRevision }.value, del.prev.value, 'a copy by spread keeps the text');
  await backend.close();
});
