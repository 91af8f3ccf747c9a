// The ReplicationController controller against the real API server (memory store), with a fake
// kubelet standing in for the scheduler and the nodes: pods owned by v1 ReplicationController,
// the RC's own status, and the scale subresource.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReplicationController } from '../../api/gen/types.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { replicationControllerKind } from '../../api/kinds/core/replication-controller.js';
import { nullLogger } from '../../base/log.js';
import { createInformerFactory } from '../../client/informer-factory.js';
import { runServer } from '../../cli/server-command.js';
import { startFakeKubelet } from '../testing/fake-kubelet.js';
import { startReplicationController } from './index.js';

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('an RC of 3 runs 3 pods it owns, reports them ready, and scales to 1 through the scale subresource', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-rc-'));
  const s = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: ['garbage-collector'] });
  const informers = createInformerFactory(s.client);
  const rcc = startReplicationController({ client: s.client, informers, log: nullLogger });
  const kubelet = startFakeKubelet(s.client);
  try {
    await Promise.all([rcc.ready(), kubelet.whenSynced()]);
    const rcs = s.client.resource(replicationControllerKind).namespace('default');
    const pods = s.client.resource(podKind).namespace('default');
    const rc: ReplicationController = {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'web' },
      spec: { replicas: 3, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    const created = await rcs.create(rc);
    assert.deepEqual(created.spec?.selector, { app: 'web' }, 'selector defaulted from the template');
    const owned = await until('3 pods', async () => {
      const list = (await pods.list()).items.filter((p) => p.metadata.ownerReferences?.[0]?.uid === created.metadata.uid);
      return list.length === 3 ? list : undefined;
    });
    assert.deepEqual(owned[0]?.metadata.ownerReferences?.[0], {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      name: 'web',
      uid: created.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    });
    assert.match(owned[0]?.metadata.name ?? '', /^web-/);
    await until('status 3 ready', async () => {
      const cur = await rcs.get('web');
      return cur.status?.replicas === 3 && cur.status.readyReplicas === 3 && cur.status.observedGeneration === 1;
    });
    // the scale subresource reads the label map as a selector
    const scalePath = '/api/v1/namespaces/default/replicationcontrollers/web/scale';
    const scale = (await s.client.request('GET', scalePath)) as { spec: { replicas: number }; status: { selector: string } };
    assert.equal(scale.spec.replicas, 3);
    assert.equal(scale.status.selector, 'app=web');
    await rcs.patchSubresource('web', 'scale', { spec: { replicas: 1 } });
    await until('1 pod left', async () => {
      const live = (await pods.list()).items.filter((p) => !p.metadata.deletionTimestamp);
      return live.length === 1;
    });
    await until('status 1', async () => (await rcs.get('web')).status?.replicas === 1);
  } finally {
    await kubelet.stop();
    await rcc.stop();
    await informers.stop();
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
