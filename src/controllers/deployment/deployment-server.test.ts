// The ReplicaSet and Deployment controllers against the real API server (memory store), with a
// fake kubelet standing in for the scheduler and the nodes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nullLogger } from '../../base/log.js';
import { createInformerFactory } from '../../client/informer-factory.js';
import { createEventRecorder } from '../../client/event-recorder.js';
import type { Deployment } from '../../api/gen/types.js';
import { deploymentKind } from '../../api/kinds/apps/deployment.js';
import { replicaSetKind } from '../../api/kinds/apps/replicaset.js';
import { coreEventKind } from '../../api/kinds/core/event.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { startReplicaSetController } from '../replicaset/index.js';
import { startDeploymentController } from './index.js';
import { startFakeKubelet } from '../testing/fake-kubelet.js';

import { runServer, type RunningServer } from '../../cli/server-command.js';

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function deployment(name: string, replicas: number, image: string, extra: Record<string, unknown> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
      ...extra,
    },
  };
}

async function withCluster(fn: (s: RunningServer) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-deploy-'));
  // only the garbage collector runs in the server: this test runs its own deployment controller
  const s = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: ['garbage-collector'] });
  const informers = createInformerFactory(s.client);
  const recorder = createEventRecorder(s.client, 'deployment-controller');
  const rsc = startReplicaSetController({ client: s.client, informers, log: nullLogger });
  const dc = startDeploymentController({ client: s.client, informers, log: nullLogger, recorder });
  const kubelet = startFakeKubelet(s.client);
  try {
    await Promise.all([rsc.ready(), dc.ready(), kubelet.whenSynced()]);
    await fn(s);
  } finally {
    await kubelet.stop();
    await dc.stop();
    await rsc.stop();
    await informers.stop();
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `kubectl scale`: a merge patch of the Deployment's scale subresource. */
async function scale(s: RunningServer, name: string, replicas: number): Promise<void> {
  await s.client.resource(deploymentKind).namespace('default').patchSubresource(name, 'scale', { spec: { replicas } });
}

const rolledOut = (d: Deployment | undefined, n: number) => {
  const st = d?.status ?? {};
  return (
    !!d &&
    (d.metadata.generation ?? 0) <= (st.observedGeneration ?? 0) &&
    st.updatedReplicas === n &&
    st.replicas === n &&
    st.availableReplicas === n
  );
};

test('a Deployment rolls out, updates with surge/unavailable limits, scales to 0 and back, and is deleted with its pods', async () => {
  await withCluster(async (s) => {
    const c = s.client;
    const deployments = c.resource(deploymentKind).namespace('default');
    const get = () => deployments.getOrUndefined('web');
    const rsList = async () => (await c.resource(replicaSetKind).namespace('default').list({ labelSelector: 'app=web' })).items;
    const podList = async () => (await c.resource(podKind).namespace('default').list({ labelSelector: 'app=web' })).items;

    await deployments.create(
      deployment('web', 10, 'nginx:1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: '20%' } } }),
    );
    const first = await until('first rollout', async () => {
      const d = await get();
      return rolledOut(d, 10) && d;
    });
    assert.equal(first.status?.readyReplicas, 10);
    const rs1 = await rsList();
    assert.equal(rs1.length, 1);
    const hash = rs1[0]?.metadata.labels?.['pod-template-hash'];
    assert.ok(hash);
    assert.equal(rs1[0]?.metadata.name, `web-${hash}`);
    assert.equal(rs1[0]?.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(rs1[0]?.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '10');
    assert.equal(rs1[0]?.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '12');
    assert.equal(first.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    const conds = Object.fromEntries((first.status?.conditions ?? []).map((x) => [x.type, x.reason]));
    assert.equal(conds['Available'], 'MinimumReplicasAvailable');
    assert.equal(conds['Progressing'], 'NewReplicaSetAvailable');
    const pods = await podList();
    assert.equal(pods.length, 10);
    assert.ok(pods.every((p) => p.metadata.labels?.['pod-template-hash'] === hash));

    // rolling update: watch every state of the ReplicaSets while it runs
    const watchers = createInformerFactory(c);
    const watchRS = watchers.for(replicaSetKind, { namespace: 'default' });
    watchers.start();
    await watchers.whenSynced();
    await deployments.patch('web', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } }, 'strategic');
    let maxTotal = 0;
    let minAvailable = Infinity;
    const sample = () => {
      const rss = watchRS.list().filter((r) => r.metadata.labels?.['app'] === 'web');
      maxTotal = Math.max(
        maxTotal,
        rss.reduce((a, r) => a + (r.spec?.replicas ?? 0), 0),
      );
      minAvailable = Math.min(
        minAvailable,
        rss.reduce((a, r) => a + (r.status?.availableReplicas ?? 0), 0),
      );
    };
    watchRS.addHandlers({ onAdd: sample, onUpdate: sample });
    const done = await until('second rollout', async () => {
      const [d, rss] = await Promise.all([get(), rsList()]);
      return rolledOut(d, 10) && (d?.status?.observedGeneration ?? 0) >= 2 && { d, rss };
    });
    await watchers.stop();
    assert.ok(maxTotal <= 12, `spec total ${maxTotal} exceeded replicas + maxSurge`);
    assert.ok(maxTotal > 10, 'the rollout surged');
    assert.ok(minAvailable >= 8, `available ${minAvailable} fell below replicas - maxUnavailable`);
    assert.equal(done.rss.length, 2);
    const oldRS = done.rss.find((r) => r.metadata.labels?.['pod-template-hash'] === hash);
    const newRS = done.rss.find((r) => r.metadata.labels?.['pod-template-hash'] !== hash);
    assert.equal(oldRS?.spec?.replicas, 0);
    assert.equal(newRS?.spec?.replicas, 10);
    assert.equal(newRS?.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    await until(
      'old pods gone',
      async () => (await podList()).filter((p) => p.metadata.labels?.['pod-template-hash'] === hash).length === 0,
    );

    // rollback as kubectl does it: copy the old template back; the old ReplicaSet is reused
    const oldTemplate = structuredClone(oldRS?.spec?.template ?? {});
    delete oldTemplate.metadata?.labels?.['pod-template-hash'];
    const cur = await get();
    const curSpec = cur?.spec;
    assert.ok(cur && curSpec);
    await deployments.update({ ...cur, spec: { ...curSpec, template: oldTemplate } });
    const back = await until('rollback', async () => {
      const d = await get();
      return rolledOut(d, 10) && (d?.status?.observedGeneration ?? 0) >= 3 && d;
    });
    const afterUndo = await rsList();
    assert.equal(afterUndo.length, 2, 'no third ReplicaSet');
    const reused = afterUndo.find((r) => r.metadata.name === oldRS?.metadata.name);
    assert.equal(reused?.spec?.replicas, 10);
    assert.equal(reused?.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(reused?.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(back.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');

    // scale to 0 and back
    await scale(s, 'web', 0);
    await until('scaled to 0', async () => {
      const d = await get();
      return rolledOut(d, 0) && (await podList()).length === 0;
    });
    await scale(s, 'web', 4);
    await until('scaled to 4', async () => rolledOut(await get(), 4));
    assert.equal((await rsList()).length, 2);

    const events = (await c.resource(coreEventKind).namespace('default').list()).items;
    assert.ok(
      events.some((e) => e.reason === 'ScalingReplicaSet' && e.message === `Scaled up replica set web-${hash} to 10 from 0`),
      JSON.stringify(events.map((e) => e.message)),
    );

    // deletion: the garbage collector removes ReplicaSets and pods
    await deployments.delete('web');
    await until('everything gone', async () => (await rsList()).length === 0 && (await podList()).length === 0);
  });
});

test('1,000 replicas: time until every pod is created and until all are available', async () => {
  await withCluster(async (s) => {
    const deployments = s.client.resource(deploymentKind).namespace('default');
    const bigPods = () => s.client.resource(podKind).namespace('default').list({ labelSelector: 'app=big', limit: 2000 });
    const t0 = Date.now();
    await deployments.create(deployment('big', 1000, 'nginx:1'));
    await until('1000 pods', async () => (await bigPods()).items.length >= 1000, 60_000);
    const created = Date.now() - t0;
    await until('1000 available', async () => rolledOut(await deployments.getOrUndefined('big'), 1000), 60_000);
    const available = Date.now() - t0;
    const pods = await bigPods();
    assert.equal(pods.items.length, 1000);
    process.stdout.write(`# 1000-replica Deployment: all pods created in ${created} ms, all available in ${available} ms\n`);
  });
});
