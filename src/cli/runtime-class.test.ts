// One pod with a RuntimeClass, read back from the API server, judged by the scheduler, the DaemonSet
// controller and the agent: RuntimeClass admission merged the class's overhead, nodeSelector and
// tolerations into the pod at create, and all three components read them from that one pod through
// the shared rules of src/api/scheduling/ (issue "One copy of every fact").

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod, RuntimeClass, Taint } from '../api/gen/types.js';
import { podKind } from '../api/kinds/core/pod/pod.js';
import { runtimeClassKind } from '../api/kinds/node/runtime-class.js';
import { admitPod } from '../agent/pods/admit.js';
import { sandboxResources } from '../agent/pods/resources.js';
import { nullLogger } from '../base/log.js';
import { isStatusError } from '../base/errors.js';
import { daemonEligibility } from '../controllers/daemonset/node-eligibility.js';
import { createAlgorithm } from '../scheduler/algorithm.js';
import { createDefaultRegistry, defaultProfile } from '../scheduler/default-profile.js';
import { createFramework } from '../scheduler/framework/framework.js';
import { createNodeInfo } from '../scheduler/framework/node-info.js';
import { createPodInfo } from '../scheduler/framework/pod-info.js';
import { createStaticSnapshot } from '../scheduler/framework/snapshot.js';
import { runServer } from './server-command.js';

const RC: RuntimeClass = {
  apiVersion: 'node.k8s.io/v1',
  kind: 'RuntimeClass',
  metadata: { name: 'gpu' },
  handler: 'runc',
  overhead: { podFixed: { cpu: '250m', memory: '128Mi' } },
  scheduling: { nodeSelector: { pool: 'gpu' }, tolerations: [{ key: 'dedicated', operator: 'Exists' }] },
};

const node = (name: string, labels: Record<string, string>, taints: Taint[] | undefined, cpu = '2'): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...labels } },
  spec: taints ? { taints } : {},
  status: { capacity: { cpu, memory: '4Gi', pods: '110' }, allocatable: { cpu, memory: '4Gi', pods: '110' } },
});

test('the scheduler, the DaemonSet controller and the agent read one admitted pod alike', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-rc-'));
  const srv = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: [] });
  t.after(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await srv.client.resource(runtimeClassKind).create(RC);
  const pods = srv.client.resource(podKind).namespace('default');
  await pods.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'trainer', namespace: 'default' },
    spec: {
      runtimeClassName: 'gpu',
      containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '900m', memory: '256Mi' } } }],
    },
  });
  const pod: Pod = await pods.get('trainer');

  // what admission wrote into the pod
  assert.deepEqual(pod.spec?.overhead, { cpu: '250m', memory: '128Mi' });
  assert.deepEqual(pod.spec?.nodeSelector, { pool: 'gpu' });
  assert.ok(
    pod.spec?.tolerations?.some((x) => x.key === 'dedicated' && x.operator === 'Exists'),
    JSON.stringify(pod.spec?.tolerations),
  );

  // and what each component makes of it, node by node
  const nodes: Array<{ n: Node; expect: { scheduler: boolean; daemon: boolean; agent: boolean } }> = [
    {
      n: node('gpu-tainted', { pool: 'gpu' }, [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }]),
      expect: { scheduler: true, daemon: true, agent: true },
    },
    { n: node('cpu-pool', { pool: 'cpu' }, undefined), expect: { scheduler: false, daemon: false, agent: false } },
    {
      n: node('gpu-other-taint', { pool: 'gpu' }, [{ key: 'other', value: 'x', effect: 'NoExecute' }]),
      expect: { scheduler: false, daemon: false, agent: false },
    },
    // 900m of requests fit in 1 cpu; with the 250m overhead they do not (the DaemonSet controller
    // does not count resources, as upstream's does not)
    { n: node('gpu-small', { pool: 'gpu' }, undefined, '1'), expect: { scheduler: false, daemon: true, agent: false } },
  ];
  const fw = createFramework(createDefaultRegistry(), defaultProfile(), { runtimeClass: (name) => (name === 'gpu' ? RC : undefined) });
  for (const { n, expect } of nodes) {
    const info = createPodInfo(pod, (name) => (name === 'gpu' ? RC : undefined));
    const outcome = createAlgorithm(fw).schedule(info, createStaticSnapshot([createNodeInfo(n)]));
    const verdicts: Record<string, boolean> = {
      scheduler: outcome.kind === 'scheduled',
      daemon: daemonEligibility(pod.spec, n).shouldRun,
      agent: admitPod(pod, n, []).admit,
    };
    assert.deepEqual(verdicts, expect, `node ${n.metadata.name ?? ''}: ${outcome.kind === 'unschedulable' ? outcome.message : ''}`);
  }
  const small = admitPod(pod, nodes[3]!.n, []);
  assert.deepEqual(small, {
    admit: false,
    reason: 'OutOfcpu',
    message: "Node didn't have enough resource: cpu, requested: 1150, used: 0, capacity: 1000",
  });
  assert.equal(createPodInfo(pod).requests.milliCPU, 1150, 'the scheduler counts the same 1150m');
  // the agent sizes the sandbox with the overhead (CRI LinuxPodSandboxConfig.overhead)
  assert.deepEqual(sandboxResources(pod.spec).overhead, {
    cpuShares: 256,
    cpuPeriod: 100_000,
    cpuQuota: 25_000,
    memoryLimitInBytes: 128 * 1024 * 1024,
  });

  // a pod that contradicts its class is refused at create, with upstream's message
  await assert.rejects(
    pods.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'conflict', namespace: 'default' },
      spec: { runtimeClassName: 'gpu', nodeSelector: { pool: 'cpu' }, containers: [{ name: 'c', image: 'busybox' }] },
    }),
    (e: unknown) =>
      isStatusError(e) &&
      e.code === 403 &&
      e.message ===
        'pods "conflict" is forbidden: conflict: runtimeClass.scheduling.nodeSelector[pool] = gpu; pod.spec.nodeSelector[pool] = cpu',
  );
});

test('the default RuntimeClasses exist from the first start, and a user edit survives a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-rc-boot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const start = () => runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'sqlite', log: nullLogger, controllers: [] });
  let srv = await start();
  try {
    const rcs = srv.client.resource(runtimeClassKind);
    const listed = (await rcs.list()).items.map((rc) => [rc.metadata.name, rc.handler, rc.scheduling?.nodeSelector ?? null]);
    assert.deepEqual(listed, [
      ['process', 'process', null],
      ['runhcs-wcow-hypervisor', 'runhcs-wcow-hypervisor', { 'kubernetes.io/os': 'windows' }],
      ['runhcs-wcow-process', 'runhcs-wcow-process', { 'kubernetes.io/os': 'windows' }],
    ]);
    // a pod naming a Windows class is pinned to Windows nodes by admission
    const pods = srv.client.resource(podKind).namespace('default');
    await pods.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'iis', namespace: 'default' },
      spec: { runtimeClassName: 'runhcs-wcow-hypervisor', containers: [{ name: 'c', image: 'mcr.microsoft.com/windows/servercore/iis' }] },
    });
    assert.deepEqual((await pods.get('iis')).spec?.nodeSelector, { 'kubernetes.io/os': 'windows' });

    // the user narrows one class to a build and deletes another
    const hv = await rcs.get('runhcs-wcow-hypervisor');
    hv.scheduling = { nodeSelector: { 'kubernetes.io/os': 'windows', 'node.kubernetes.io/windows-build': '10.0.26100' } };
    await rcs.update(hv);
    await rcs.delete('process');
  } finally {
    await srv.stop();
  }
  srv = await start();
  t.after(() => srv.stop());
  const rcs = srv.client.resource(runtimeClassKind);
  assert.deepEqual((await rcs.get('runhcs-wcow-hypervisor')).scheduling?.nodeSelector, {
    'kubernetes.io/os': 'windows',
    'node.kubernetes.io/windows-build': '10.0.26100',
  });
  assert.equal((await rcs.get('process')).handler, 'process', 'a deleted default comes back at the next start');
});
