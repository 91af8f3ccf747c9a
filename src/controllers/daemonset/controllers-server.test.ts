// The DaemonSet, Job, Endpoints/EndpointSlice, ServiceAccount and node lifecycle controllers against
// the real API server (memory store), with a tiny fake kubelet in the test: it binds daemon pods to
// the node their affinity names (other pods to lin-1), runs them (Job pods succeed), finishes
// graceful deletions, and renews the Leases of the live nodes. Node dead-1 gets no care at all.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from '../../cli/server-command.js';
import { createInformerFactory } from '../../client/informer-factory.js';
import { createEventRecorder } from '../../client/event-recorder.js';
import type { RestClient } from '../../client/rest-client.js';
import { daemonSetKind } from '../../api/kinds/apps/daemonset.js';
import { jobKind } from '../../api/kinds/batch/job.js';
import { leaseKind } from '../../api/kinds/coordination/lease.js';
import { endpointsKind } from '../../api/kinds/core/endpoints.js';
import { namespaceKind } from '../../api/kinds/core/namespace.js';
import { nodeKind } from '../../api/kinds/core/node.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { serviceAccountKind } from '../../api/kinds/core/service-account.js';
import { serviceKind } from '../../api/kinds/core/service.js';
import { endpointSliceKind } from '../../api/kinds/discovery/endpoint-slice.js';
import { createLogger } from '../../base/log.js';
import { microTime, rfc3339 } from '../../base/time.js';
import { startDaemonSetController } from './index.js';
import { daemonPodNode } from './node-eligibility.js';
import { startJobController } from '../job/index.js';
import { startEndpointsController } from '../endpoints/index.js';
import { startServiceAccountController } from '../serviceaccount/index.js';
import { startNodeLifecycleController } from '../node-lifecycle/index.js';
import { nullLogger } from '../../base/log.js';

const LIVE = ['lin-1', 'win-1', 'win-2'];

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ready = (t: number) => [
  { type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: rfc3339(t), lastTransitionTime: rfc3339(t) },
];

async function addNode(c: RestClient, name: string, os: string): Promise<void> {
  await c.resource(nodeKind).create({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/os': os, 'kubernetes.io/hostname': name } },
    status: { conditions: ready(Date.now()), capacity: { cpu: '4', memory: '8Gi', pods: '110' } },
  });
  await c
    .resource(leaseKind)
    .namespace('kube-node-lease')
    .create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(Date.now()) },
    });
}

/** The fake kubelet: one pass over all pods. */
async function kubeletPass(c: RestClient, ip: { n: number }): Promise<void> {
  const pods = (await c.resource(podKind).list()).items;
  for (const p of pods) {
    const name = p.metadata.name ?? '';
    const api = c.resource(podKind).namespace(p.metadata.namespace ?? '');
    try {
      if (p.spec?.nodeName === 'dead-1') continue;
      if (p.metadata.deletionTimestamp) {
        await api.delete(name, { gracePeriodSeconds: 0 });
        continue;
      }
      if (!p.spec?.nodeName) {
        const node = daemonPodNode(p.spec) ?? 'lin-1';
        await api.createSubresource(name, 'binding', {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name },
          target: { kind: 'Node', name: node },
        });
        continue;
      }
      if (p.status?.phase === 'Pending') {
        const t = rfc3339(Date.now());
        const isJob = p.metadata.labels?.['job-name'] !== undefined;
        const status = isJob
          ? {
              ...p.status,
              phase: 'Succeeded',
              podIP: `10.0.0.${++ip.n}`,
              conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: t }],
            }
          : {
              ...p.status,
              phase: 'Running',
              podIP: `10.0.0.${++ip.n}`,
              conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }],
            };
        await api.updateStatus({ ...p, status });
      }
    } catch {
      /* raced with someone: next pass */
    }
  }
}

test('daemonset, job, endpoints, service account and node lifecycle controllers against the real server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-ctrl2-'));
  // only the server's own GC and namespace controllers: the fake kubelet below stands in for the scheduler
  const s = await runServer({
    dataDir: dir,
    listen: '127.0.0.1:0',
    store: 'memory',
    log: nullLogger,
    controllers: ['namespace', 'garbage-collector'],
  });
  const c = s.client;
  const informers = createInformerFactory(c);
  const recorder = createEventRecorder(c, 'controllers');
  const logs: string[] = [];
  const deps = { client: c, informers, log: createLogger({ write: (l) => logs.push(l), level: 'debug' }), recorder };
  let stopLoop = false;
  let loop: Promise<void> = Promise.resolve();
  const ctrls = [
    startDaemonSetController(deps),
    startJobController(deps),
    startEndpointsController(deps),
    startServiceAccountController(deps),
    startNodeLifecycleController({ ...deps, nodeMonitorGracePeriodMs: 1500, nodeMonitorPeriodMs: 200 }),
  ];
  try {
    for (const n of LIVE) await addNode(c, n, n.startsWith('win') ? 'windows' : 'linux');
    await addNode(c, 'dead-1', 'linux');
    await Promise.all(ctrls.map((x) => x.ready()));
    const ip = { n: 0 };
    loop = (async () => {
      let last = 0;
      while (!stopLoop) {
        await kubeletPass(c, ip);
        if (Date.now() - last > 300) {
          last = Date.now();
          for (const n of LIVE) {
            const leases = c.resource(leaseKind).namespace('kube-node-lease');
            const l = await leases.get(n);
            await leases.update({ ...l, spec: { ...l.spec, renewTime: microTime(Date.now()) } }).catch(() => {});
          }
        }
        await new Promise((r) => setTimeout(r, 40));
      }
    })();

    // a pod on the node that stops heartbeating, tolerating unreachable for 1 s
    const pods = c.resource(podKind).namespace('default');
    await pods.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'stranded' },
      spec: {
        nodeName: 'dead-1',
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'c', image: 'busybox' }],
        tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }],
      },
    });

    // DaemonSet for Windows nodes only
    await c
      .resource(daemonSetKind)
      .namespace('default')
      .create({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'winds' },
        spec: {
          selector: { matchLabels: { app: 'winds' } },
          template: {
            metadata: { labels: { app: 'winds' } },
            spec: {
              nodeSelector: { 'kubernetes.io/os': 'windows' },
              containers: [{ name: 'c', image: 'mcr.microsoft.com/windows/nanoserver' }],
            },
          },
        },
      });
    // Job of 5 completions
    await c
      .resource(jobKind)
      .namespace('default')
      .create({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'five' },
        spec: {
          completions: 5,
          parallelism: 2,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
        },
      });
    // Service + 3 pods
    await c
      .resource(serviceKind)
      .namespace('default')
      .create({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      });
    for (let i = 0; i < 3; i++) {
      await pods.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `web-${i}`, labels: { app: 'web' } },
        spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] },
      });
    }
    // a new namespace gets its default ServiceAccount
    await c.resource(namespaceKind).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fresh' } });

    const ds = await until('daemonset rolled out', async () => {
      const d = await c.resource(daemonSetKind).namespace('default').get('winds');
      return d.status?.numberReady === 2 && d.status.updatedNumberScheduled === 2 && d;
    });
    assert.equal(ds.status?.desiredNumberScheduled, 2);
    assert.equal(ds.status?.numberMisscheduled, 0);
    const dsPods = (await pods.list({ labelSelector: 'app=winds' })).items.filter((p) => !p.metadata.deletionTimestamp);
    assert.deepEqual(dsPods.map((p) => p.spec?.nodeName).sort(), ['win-1', 'win-2']);
    assert.ok(dsPods.every((p) => p.metadata.labels?.['controller-revision-hash']));

    const ep = await until('endpoints with 3 addresses', async () => {
      const e = await c.resource(endpointsKind).namespace('default').getOrUndefined('web');
      return e?.subsets?.[0]?.addresses?.length === 3 && e;
    });
    assert.equal(ep.subsets?.[0]?.ports?.[0]?.port, 8080);
    const slices = await until('one slice with 3 ready endpoints', async () => {
      const l = (await c.resource(endpointSliceKind).namespace('default').list({ labelSelector: 'kubernetes.io/service-name=web' })).items;
      return l.length === 1 && l[0]?.endpoints?.filter((x) => x.conditions?.ready).length === 3 && l;
    });
    assert.equal(slices[0]?.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');

    const job = await until('job complete', async () => {
      const j = await c.resource(jobKind).namespace('default').get('five');
      return j.status?.conditions?.some((x) => x.type === 'Complete' && x.status === 'True') && j;
    });
    assert.equal(job.status?.succeeded, 5);
    assert.ok(job.status?.conditions?.some((x) => x.type === 'SuccessCriteriaMet'));
    const jobPods = (await pods.list({ labelSelector: 'job-name=five' })).items;
    assert.equal(jobPods.length, 5);
    assert.ok(
      jobPods.every((p) => !(p.metadata.finalizers ?? []).includes('batch.kubernetes.io/job-tracking')),
      'finalizers removed',
    );

    await until('default service account', () => c.resource(serviceAccountKind).namespace('fresh').getOrUndefined('default'));

    const dead = await until('dead node tainted unreachable', async () => {
      const n = await c.resource(nodeKind).get('dead-1');
      const r = n.status?.conditions?.find((x) => x.type === 'Ready');
      return (
        r?.status === 'Unknown' && n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') && n
      );
    });
    assert.equal(dead.status?.conditions?.find((x) => x.type === 'Ready')?.reason, 'NodeStatusUnknown');
    await until('stranded pod removed', async () => (await pods.getOrUndefined('stranded')) === undefined);
    for (const n of LIVE) {
      const node = await c.resource(nodeKind).get(n);
      assert.equal(node.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'True', `${n} stays Ready`);
    }
  } finally {
    if (process.env['TANDEM_TEST_LOG']) process.stderr.write(`${logs.join('\n')}\n`);
    stopLoop = true;
    await loop;
    for (const x of ctrls) await x.stop();
    await informers.stop();
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
