import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet, Node, Pod, PodSpec } from '../../api/gen/types.js';
import { LABEL_CONTROLLER_REVISION_HASH } from '../../api/well-known.js';
import { planDaemonSet, templateHash } from './daemonset-decide.js';
import { daemonPod } from './daemon-pod.js';
import { daemonEligibility, daemonPodNode } from './node-eligibility.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const node = (name: string, os: string, taints: NonNullable<Node['spec']>['taints'] = []): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/os': os } },
  spec: { taints },
});
const ds = (image = 'a', maxUnavailable: number | string = 1): DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'd', namespace: 'ns', uid: 'u1', generation: 3 },
  spec: {
    selector: { matchLabels: { app: 'd' } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable } },
    template: {
      metadata: { labels: { app: 'd' } },
      spec: { nodeSelector: { 'kubernetes.io/os': 'windows' }, containers: [{ name: 'c', image }] },
    },
  },
});
let seq = 0;
const running = (d: DaemonSet, nodeName: string, hash = templateHash(d), readyOk = true): Pod => ({
  ...daemonPod(d, nodeName, hash, true),
  metadata: { name: `p${seq++}`, namespace: 'ns', labels: { [LABEL_CONTROLLER_REVISION_HASH]: hash } },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: readyOk ? 'True' : 'False' }] },
});

test('eligibility: selector, untolerated taints, automatic daemon tolerations', () => {
  const spec = ds().spec?.template?.spec;
  assert.deepEqual(daemonEligibility(spec, node('w', 'windows')), { shouldRun: true, shouldContinueRunning: true });
  assert.equal(daemonEligibility(spec, node('l', 'linux')).shouldRun, false);
  assert.deepEqual(daemonEligibility(spec, node('w', 'windows', [{ key: 'x', effect: 'NoSchedule' }])), {
    shouldRun: false,
    shouldContinueRunning: true,
  });
  assert.deepEqual(daemonEligibility(spec, node('w', 'windows', [{ key: 'x', effect: 'NoExecute' }])), {
    shouldRun: false,
    shouldContinueRunning: false,
  });
  const auto = [
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
  ];
  assert.equal(daemonEligibility(spec, node('w', 'windows', auto)).shouldRun, true);
});

test('created pods are pinned by node affinity and carry labels, owner and tolerations', () => {
  const p = daemonPod(ds(), 'w1', 'h1', false);
  assert.equal(daemonPodNode(p.spec), 'w1');
  assert.equal(p.spec?.nodeName, undefined);
  assert.equal(p.metadata.labels?.[LABEL_CONTROLLER_REVISION_HASH], 'h1');
  assert.equal(p.metadata.labels?.['pod-template-generation'], '3');
  assert.equal(p.metadata.ownerReferences?.[0]?.controller, true);
  assert.ok(p.spec?.tolerations?.some((t) => t.key === 'node.kubernetes.io/not-ready' && t.effect === 'NoExecute'));
});

test('one pod per eligible node; misplaced and duplicate pods go; status counts', () => {
  const d = ds();
  const nodes = [node('w1', 'windows'), node('w2', 'windows'), node('l1', 'linux')];
  const pods = [running(d, 'w1'), running(d, 'w1'), running(d, 'l1')];
  const plan = planDaemonSet(d, nodes, pods, T0);
  assert.deepEqual(plan.create, ['w2']);
  assert.deepEqual(plan.delete.map((p) => p.metadata.name).sort(), [pods[1]?.metadata.name, pods[2]?.metadata.name].sort());
  assert.deepEqual(plan.status, {
    desiredNumberScheduled: 2,
    currentNumberScheduled: 1,
    numberMisscheduled: 1,
    numberReady: 1,
    numberAvailable: 1,
    updatedNumberScheduled: 1,
    numberUnavailable: 1,
    observedGeneration: 3,
  });
});

test('rolling update replaces old pods within maxUnavailable, unavailable old pods first', () => {
  const old = ds('a');
  const cur = ds('b');
  const nodes = [node('w1', 'windows'), node('w2', 'windows'), node('w3', 'windows')];
  const pods = [running(old, 'w1'), running(old, 'w2'), running(old, 'w3', templateHash(old), false)];
  const plan = planDaemonSet(cur, nodes, pods, T0);
  assert.deepEqual(plan.create, []);
  // w3's old pod is unavailable already (counts towards maxUnavailable 1): nothing else may go
  assert.deepEqual(
    plan.delete.map((p) => p.metadata.name),
    [pods[2]?.metadata.name],
  );
  const plan2 = planDaemonSet(cur, nodes, pods, T0);
  assert.equal(plan2.status.updatedNumberScheduled, 0);
  const healthy = [running(old, 'w1'), running(old, 'w2'), running(cur, 'w3')];
  assert.equal(planDaemonSet(cur, nodes, healthy, T0).delete.length, 1);
  assert.equal(planDaemonSet(ds('b', 2), nodes, healthy, T0).delete.length, 2);
});

test('node affinity Gt/Lt compare whole integers: n=12abc is not greater than 10, n=12 is', () => {
  const spec: PodSpec = {
    containers: [{ name: 'c', image: 'a' }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'n', operator: 'Gt', values: ['10'] }] }],
        },
      },
    },
  };
  const labelled = (v: string): Node => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `n-${v}`, labels: { 'kubernetes.io/os': 'linux', n: v } },
  });
  assert.equal(daemonEligibility(spec, labelled('12abc')).shouldRun, false);
  assert.equal(daemonEligibility(spec, labelled('12')).shouldRun, true);
  assert.equal(daemonEligibility(spec, labelled('9')).shouldRun, false);
  const lt: PodSpec = {
    ...spec,
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'n', operator: 'Lt', values: ['10'] }] }],
        },
      },
    },
  };
  assert.equal(daemonEligibility(lt, labelled('9x')).shouldRun, false);
  assert.equal(daemonEligibility(lt, labelled('9')).shouldRun, true);
});
