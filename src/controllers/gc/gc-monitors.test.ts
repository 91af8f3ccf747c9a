import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyObject } from '../../api/object.js';
import { nullLogger } from '../../base/log.js';
import type { ApiResource } from '../../client/discovery.js';
import { createInformerFactory } from '../../client/informer-factory.js';
import { createFakeApi } from '../../client/testing/fake-api.js';
import { createMonitors } from './gc-monitors.js';

const res = (resource: string, kind: string): ApiResource => ({
  group: '',
  version: 'v1',
  resource,
  kind,
  namespaced: true,
  verbs: ['list', 'watch', 'get', 'delete'],
});

test('the collector reads a shared informer where one exists, keeps its own metadata cache elsewhere, and leaves shared ones running', async () => {
  const api = createFakeApi('ConfigMap');
  const owned: AnyObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c1', namespace: 'd', uid: 'u-c1', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u-owner' }] },
  };
  api.upsert(owned);
  const factory = createInformerFactory(api.client);
  const shared = factory.informer('/api/v1/configmaps');
  factory.start();
  const ms = createMonitors(api.client, [res('configmaps', 'ConfigMap'), res('secrets', 'Secret')], nullLogger, factory);
  const [cms, secrets] = ms.all();
  assert.equal(cms?.borrowed, true);
  assert.equal(cms?.informer, shared, 'one cache of ConfigMaps, not two');
  assert.equal(secrets?.borrowed, false);
  ms.start();
  await ms.whenSynced();
  // the owner index was added to the shared informer (the fake serves one collection on every path:
  // the secrets monitor sees it too)
  assert.deepEqual(
    ms
      .dependentsOf('u-owner')
      .filter((d) => d.monitor === cms)
      .map((d) => d.obj.metadata.name),
    ['c1'],
  );
  await ms.stop();
  assert.equal(shared.get('d/c1')?.metadata.name, 'c1');
  api.upsert({ ...owned, metadata: { ...owned.metadata, name: 'c2', uid: 'u-c2' } });
  const end = Date.now() + 3000;
  while (!shared.get('d/c2')) {
    if (Date.now() > end) throw new Error('the shared informer stopped with the collector');
    await new Promise((r) => setTimeout(r, 5));
  }
  await factory.stop();
});
