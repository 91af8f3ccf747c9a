import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, PodSpec } from '../../api/gen/types.js';
import { admitPod } from './admit.js';
import { sandboxResources } from './resources.js';

const node: Node = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1', labels: { zone: 'a' } },
  spec: {
    taints: [
      { key: 'maint', effect: 'NoExecute' },
      { key: 'soft', effect: 'NoSchedule' },
    ],
  },
  status: { allocatable: { cpu: '2', memory: '1Gi', pods: '3', 'example.com/gpu': '1' } },
};
const tolerant = [{ key: 'maint', operator: 'Exists' }];
const pod = (name: string, spec: Partial<NonNullable<Pod['spec']>> = {}, cpu = '500m'): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: name },
  spec: { containers: [{ name: 'c', resources: { requests: { cpu, memory: '128Mi' } } }], tolerations: tolerant, ...spec },
});

test('resources: requests plus overhead against what admitted pods use, then pod count', () => {
  assert.deepEqual(admitPod(pod('a'), node, [pod('x'), pod('y')]), { admit: true });
  assert.deepEqual(admitPod(pod('a', { overhead: { cpu: '600m' } }), node, [pod('x'), pod('y')]), {
    admit: false,
    reason: 'OutOfcpu',
    message: "Node didn't have enough resource: cpu, requested: 1100, used: 1000, capacity: 2000",
  });
  assert.deepEqual(admitPod(pod('a', {}, '100m'), node, [pod('x'), pod('y'), pod('z')]), {
    admit: false,
    reason: 'OutOfpods',
    message: "Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3",
  });
  const gpu = pod('g', { containers: [{ name: 'c', resources: { requests: { 'example.com/gpu': '2' } } }] });
  assert.equal(admitPod(gpu, node, []).admit, false);
  assert.equal((admitPod(gpu, node, []) as { reason: string }).reason, 'OutOfexample.com/gpu');
});

test("node affinity and NoExecute taints, with the kubelet's reasons", () => {
  assert.deepEqual(admitPod(pod('a', { nodeSelector: { zone: 'b' } }), node, []), {
    admit: false,
    reason: 'NodeAffinity',
    message: "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector",
  });
  assert.deepEqual(admitPod(pod('a', { nodeSelector: { zone: 'a' } }), node, []), { admit: true });
  assert.deepEqual(admitPod(pod('a', { tolerations: [] }), node, []), {
    admit: false,
    reason: 'TaintToleration',
    message: "Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate",
  });
  // NoSchedule taints are the scheduler's business, not the node's
  assert.deepEqual(admitPod(pod('a', { tolerations: tolerant }), node, []), { admit: true });
});

test("the sandbox gets the pod's resources and its overhead (requests = limits)", () => {
  const spec: PodSpec = {
    containers: [
      { name: 'a', resources: { requests: { cpu: '500m' }, limits: { cpu: '1', memory: '256Mi' } } },
      { name: 'b', resources: { requests: { cpu: '250m' }, limits: { memory: '64Mi' } } },
    ],
    overhead: { cpu: '100m', memory: '32Mi' },
  };
  assert.deepEqual(sandboxResources(spec), {
    resources: { cpuShares: 768, cpuPeriod: 100_000, cpuQuota: 100_000, memoryLimitInBytes: 320 * 1024 * 1024 },
    overhead: { cpuShares: 102, cpuPeriod: 100_000, cpuQuota: 10_000, memoryLimitInBytes: 32 * 1024 * 1024 },
  });
  assert.deepEqual(
    sandboxResources({ containers: [{ name: 'x' }] }),
    { resources: { cpuShares: 2 } },
    'no requests, no limits, no overhead',
  );
});
