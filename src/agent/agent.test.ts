import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../base/log.js';
import { runServer } from '../cli/server-command.js';
import { startAgent, type Agent } from './agent.js';
import { createFakeContainerRuntime } from './testing/fake-container-runtime.js';
import { createFakePlatform } from './testing/fake-platform.js';
import type { EventList, Lease, Node, Pod, PodList } from '../api/gen/types.js';
import type { RestClient } from '../client/rest-client.js';
import { nullLogger } from '../base/log.js';

const NODE = 'agent-node-1';

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const podsOf = async (c: RestClient, selector: string) =>
  (await c.request<PodList>('GET', `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`)).items;
const getPod = (c: RestClient, name: string) => c.getOrUndefined<Pod>(`/api/v1/namespaces/default/pods/${name}`);
const cond = (p: Pod | undefined, t: string) => p?.status?.conditions?.find((c) => c.type === t)?.status;

test('agent against the real API server with a fake runtime', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agent-it-'));
  const server = await runServer({ dataDir: join(dir, 'server'), listen: '127.0.0.1:0', store: 'memory', log: nullLogger });
  const runtime = createFakeContainerRuntime({
    images: ['busybox:1'],
    exec: (_cfg, cmd) => ({
      exitCode: cmd[0] === 'fail' ? 1 : 0,
      stdout: Buffer.from(cmd[0] === 'fail' ? 'unhealthy' : ''),
      stderr: Buffer.alloc(0),
    }),
    autoExit: (cfg) => (cfg.name === 'crash' ? { afterMs: 30, exitCode: 1 } : undefined),
  });
  const platform = createFakePlatform();
  const logs: string[] = [];
  const opts = {
    client: server.client,
    nodeName: NODE,
    runtime,
    platform,
    dataDir: join(dir, 'agent'),
    log: createLogger({ component: 'agent', write: (l) => logs.push(l) }),
    podCidr: '10.88.0.0/24',
    streamingPort: 10350,
    dns: { servers: ['192.0.2.53'], searches: [], options: [] },
    backoff: { initialMs: 300, maxMs: 1200 },
    pollMs: 100,
    syncPeriodMs: 1000,
    statusCheckMs: 300,
    leaseRenewMs: 300,
  };
  let agent: Agent = startAgent(opts);
  const c = server.client;
  try {
    await agent.ready();

    await t.test('node registration, status and lease', async () => {
      const node = await c.request<Node>('GET', `/api/v1/nodes/${NODE}`);
      assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], NODE);
      assert.equal(node.metadata.labels?.['kubernetes.io/os'], 'linux');
      assert.equal(node.metadata.labels?.['beta.kubernetes.io/arch'], 'amd64');
      assert.equal(node.spec?.podCIDR, '10.88.0.0/24');
      assert.equal(node.status?.nodeInfo?.kubeletVersion, 'v1.32.0-tandem');
      assert.equal(node.status?.nodeInfo?.containerRuntimeVersion, 'containerd://1.6.20-fake');
      assert.equal(node.status?.nodeInfo?.bootID, 'b-789');
      assert.equal(node.status?.capacity?.['pods'], '110');
      assert.equal(node.status?.capacity?.['cpu'], '4');
      assert.equal(node.status?.allocatable?.['cpu'], '3900m');
      assert.equal(node.status?.daemonEndpoints?.kubeletEndpoint?.Port, 10350);
      assert.deepEqual(
        node.status?.runtimeHandlers?.map((h) => h.name),
        ['runc', ''],
      );
      const ready = node.status?.conditions?.find((x) => x.type === 'Ready');
      assert.equal(ready?.status, 'True');
      assert.equal(ready?.reason, 'KubeletReady');
      const lease = await c.request<Lease>('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${NODE}`);
      assert.equal(lease.spec?.holderIdentity, NODE);
      assert.match(lease.spec?.renewTime ?? '', /\.\d{6}Z$/);
      // runtime network trouble turns Ready false with the kubelet's message
      runtime.setCondition('NetworkReady', false, 'NetworkPluginNotReady', 'cni plugin not initialized');
      await until('NotReady', async () => {
        const n = await c.request<Node>('GET', `/api/v1/nodes/${NODE}`);
        const r = n.status?.conditions?.find((x) => x.type === 'Ready');
        return r?.status === 'False' && (r.message ?? '').includes('NetworkReady=false reason:NetworkPluginNotReady') && r;
      });
      runtime.setCondition('NetworkReady', true);
      await until('Ready again', async () => {
        const n = await c.request<Node>('GET', `/api/v1/nodes/${NODE}`);
        return n.status?.conditions?.find((x) => x.type === 'Ready')?.status === 'True';
      });
    });

    let deployIds: string[] = [];
    await t.test('a Deployment of 3 pods becomes Running and Ready with pod IPs', async () => {
      await c.request('POST', '/apis/apps/v1/namespaces/default/deployments', {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [
                {
                  name: 'web',
                  image: 'busybox:1',
                  command: ['httpd'],
                  args: ['-p', '$(PORT)'],
                  env: [
                    { name: 'PORT', value: '8080' },
                    { name: 'ME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  ],
                  ports: [{ containerPort: 8080 }],
                },
              ],
            },
          },
        },
      });
      const pods = await until('3 ready pods', async () => {
        const ps = await podsOf(c, 'app=web');
        return (
          ps.length === 3 &&
          ps.every((p) => p.status?.phase === 'Running' && cond(p, 'Ready') === 'True' && p.status.podIP?.startsWith('10.88.0.')) &&
          ps
        );
      });
      const ips = new Set(pods.map((p) => p.status?.podIP));
      assert.equal(ips.size, 3);
      for (const p of pods) {
        const cs = p.status?.containerStatuses?.[0];
        assert.equal(cs?.restartCount, 0);
        assert.match(cs?.containerID ?? '', /^containerd:\/\/c/);
        assert.equal(p.status?.hostIP, '192.0.2.10');
        assert.equal(cond(p, 'PodScheduled'), 'True');
        assert.equal(cond(p, 'PodReadyToStartContainers'), 'True');
      }
      const id = (pods[0]?.status?.containerStatuses?.[0]?.containerID ?? '').replace('containerd://', '');
      const cfg = runtime.configOf(id);
      assert.deepEqual(cfg?.args, ['-p', '8080']);
      assert.ok(cfg?.envs.some((e) => e.key === 'ME' && e.value === pods[0]?.metadata.name));
      assert.equal(cfg?.labels['io.kubernetes.pod.uid'], pods[0]?.metadata.uid);
      const sb = [...runtime.sandboxes.values()].find((s) => s.cfg.uid === pods[0]?.metadata.uid);
      assert.deepEqual(sb?.cfg.dnsServers, ['192.0.2.53']);
      assert.match(sb?.cfg.linux?.cgroupParent ?? '', /^\/kubepods\/besteffort\/pod/);
      deployIds = pods.map((p) => p.status?.containerStatuses?.[0]?.containerID ?? '').sort();
    });

    await t.test('an agent restart adopts running pods without restarting them', async () => {
      const created = runtime.calls.filter((x) => x.startsWith('createContainer')).length;
      await agent.stop({ leavePodsRunning: true });
      agent = startAgent(opts);
      await agent.ready();
      await new Promise((r) => setTimeout(r, 1500));
      const pods = await podsOf(c, 'app=web');
      assert.deepEqual(pods.map((p) => p.status?.containerStatuses?.[0]?.containerID ?? '').sort(), deployIds);
      assert.ok(pods.every((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.restartCount === 0));
      assert.equal(runtime.calls.filter((x) => x.startsWith('createContainer')).length, created);
    });

    await t.test('kubectl delete pod: preStop, stop with the grace period, cleanup, final delete', async () => {
      await c.request('POST', '/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'graceful' },
        spec: {
          terminationGracePeriodSeconds: 7,
          containers: [{ name: 'main', image: 'busybox:1', lifecycle: { preStop: { exec: { command: ['sh', '-c', 'sleep 1'] } } } }],
        },
      });
      const p = await until('graceful running', async () => {
        const x = await getPod(c, 'graceful');
        return x?.status?.phase === 'Running' && x;
      });
      const id = (p.status?.containerStatuses?.[0]?.containerID ?? '').replace('containerd://', '');
      const mark = runtime.calls.length;
      await c.request('DELETE', '/api/v1/namespaces/default/pods/graceful');
      await until('pod gone', async () => (await getPod(c, 'graceful')) === undefined);
      const after = runtime.calls.slice(mark);
      const exec = after.indexOf(`execSync ${id} sh -c sleep 1`);
      const stop = after.findIndex((x) => x.startsWith(`stopContainer ${id} `));
      assert.ok(exec >= 0 && stop > exec, after.join('\n'));
      const timeout = Number(after[stop]?.split(' ')[2]);
      assert.ok(timeout >= 2 && timeout <= 7, `stop timeout ${timeout}`);
      assert.ok(after.some((x) => x.startsWith('removePodSandbox')));
      assert.ok(platform.cleanups.includes(p.metadata.uid ?? ''));
      assert.equal(
        [...runtime.sandboxes.values()].some((s) => s.cfg.uid === p.metadata.uid),
        false,
      );
    });

    await t.test('a crashing container shows CrashLoopBackOff and its restartCount grows', async () => {
      await c.request('POST', '/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'crasher' },
        spec: { containers: [{ name: 'crash', image: 'busybox:1' }] },
      });
      const seen = await until('CrashLoopBackOff with restarts', async () => {
        const x = await getPod(c, 'crasher');
        const cs = x?.status?.containerStatuses?.[0];
        return cs && cs.restartCount >= 2 && cs.state?.waiting?.reason === 'CrashLoopBackOff' && x;
      });
      const cs = seen.status?.containerStatuses?.[0];
      assert.match(cs?.state?.waiting?.message ?? '', /^back-off \d+ms restarting failed container=crash pod=crasher_default\(/);
      assert.equal(cs?.lastState?.terminated?.exitCode, 1);
      assert.equal(cs?.lastState?.terminated?.reason, 'Error');
      assert.equal(seen.status?.phase, 'Running');
      assert.equal(cond(seen, 'Ready'), 'False');
    });

    await t.test('a failing liveness probe restarts the container; readiness gates Ready', async () => {
      await c.request('POST', '/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'sick' },
        spec: {
          containers: [
            { name: 'a', image: 'busybox:1', livenessProbe: { exec: { command: ['fail'] }, periodSeconds: 1, failureThreshold: 1 } },
            { name: 'b', image: 'busybox:1', readinessProbe: { exec: { command: ['fail'] }, periodSeconds: 1 } },
          ],
        },
      });
      const p = await until('liveness restart', async () => {
        const x = await getPod(c, 'sick');
        return (x?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && x;
      });
      const a = p.status?.containerStatuses?.[0];
      assert.ok(a?.lastState?.terminated, JSON.stringify(a));
      assert.equal(p.status?.containerStatuses?.[1]?.ready, false);
      assert.equal(p.status?.containerStatuses?.[1]?.restartCount, 0);
      assert.equal(cond(p, 'Ready'), 'False');
      const evs = await until('Unhealthy event', async () => {
        const l = await c.request<EventList>('GET', '/api/v1/namespaces/default/events');
        const mine = l.items.filter((e) => e.involvedObject.name === 'sick');
        return mine.some((e) => e.reason === 'Unhealthy' && e.message === 'Liveness probe failed: unhealthy') && mine;
      });
      assert.ok(evs.some((e) => e.reason === 'Killing' && e.message === 'Container a failed liveness probe, will be restarted'));
    });

    await t.test('restartPolicy Never: a failed container makes the pod Failed; OnFailure success -> Succeeded', async () => {
      await c.request('POST', '/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'once' },
        spec: { restartPolicy: 'Never', containers: [{ name: 'crash', image: 'busybox:1' }] },
      });
      const p = await until('Failed', async () => {
        const x = await getPod(c, 'once');
        return x?.status?.phase === 'Failed' && x;
      });
      assert.equal(p.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 1);
      assert.equal(p.status?.containerStatuses?.[0]?.restartCount, 0);
    });

    await t.test('image pull failures and missing config show their waiting reasons', async () => {
      await c.request('POST', '/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'noimage' },
        spec: { containers: [{ name: 'a', image: 'missing:1', imagePullPolicy: 'Never' }] },
      });
      await c.request('POST', '/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'nocfg' },
        spec: {
          containers: [
            { name: 'a', image: 'busybox:1', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k' } } }] },
          ],
        },
      });
      await until(
        'ErrImageNeverPull',
        async () => (await getPod(c, 'noimage'))?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImageNeverPull',
      );
      const p = await until('CreateContainerConfigError', async () => {
        const x = await getPod(c, 'nocfg');
        return x?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError' && x;
      });
      assert.equal(p.status?.containerStatuses?.[0]?.state?.waiting?.message, 'configmap "absent" not found');
      assert.equal(p.status?.phase, 'Pending');
    });
    assert.deepEqual(
      logs.filter((l) => l.includes('sync failed')),
      [],
    );
  } finally {
    await agent.stop();
    await runtime.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
