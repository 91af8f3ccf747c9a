import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/gen/types.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { createInformerFactory } from '../../client/informer-factory.js';
import { createFakeApi } from '../../client/testing/fake-api.js';
import { OWNER_INDEXERS, ownerIndex } from './owner-index.js';

const pod = (name: string, owner?: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'ns',
    ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true }] } : {}),
  },
});

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 3000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('owner indexes: several controllers share them on one informer, kept current as owners change', async () => {
  const api = createFakeApi('Pod');
  api.upsert(pod('a', 'rs1'));
  api.upsert(pod('b'));
  const factory = createInformerFactory(api.client);
  const first = factory.for(podKind, { indexers: OWNER_INDEXERS });
  factory.start();
  await factory.whenSynced();
  // a second controller asking for the same indexes joins the same cache
  const second = factory.for(podKind, { indexers: OWNER_INDEXERS });
  assert.equal(second, first);
  const idx = ownerIndex(second);
  const names = (ps: Pod[]) => ps.map((p) => p.metadata.name).sort();
  assert.deepEqual(names(idx.controlledBy('rs1')), ['a']);
  assert.deepEqual(names(idx.orphansIn('ns')), ['b']);
  api.upsert(pod('b', 'rs1')); // adopted
  api.upsert(pod('a')); // released
  await until(() => idx.controlledBy('rs1').length === 1 && idx.controlledBy('rs1')[0]?.metadata.name === 'b', 'the index to follow');
  assert.deepEqual(names(idx.orphansIn('ns')), ['a']);
  await factory.stop();
});
