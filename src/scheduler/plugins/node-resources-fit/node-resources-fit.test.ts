import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, insufficientResources, leastAllocatedScore } from './node-resources-fit.js';
import { info, mkNode, mkNodeInfo, mkPod, passing, rc, runFilter, runScore } from '../../testing/fixtures.js';

test('cpu and memory requests must fit in what is left', () => {
  const nodes = [mkNodeInfo(mkNode('a', { cpu: '2' }), [mkPod('x', { cpu: '1500m' })]), mkNodeInfo(mkNode('b', { cpu: '2' }))];
  const r = runFilter(create(), info(mkPod('p', { cpu: '1' })), nodes);
  assert.deepEqual(passing(r), ['b']);
  assert.deepEqual(r.filter.get('a')?.reasons, ['Insufficient cpu']);
  const both = runFilter(create(), info(mkPod('p', { cpu: '3', memory: '9Gi' })), nodes);
  assert.deepEqual(both.filter.get('b')?.reasons, ['Insufficient cpu', 'Insufficient memory']);
});

test('init containers count as their maximum, sidecars add up, overhead is added', () => {
  const pod = mkPod('p', {
    cpu: '500m',
    spec: {
      initContainers: [
        { name: 'i1', resources: { requests: { cpu: '2' } } },
        { name: 'i2', resources: { requests: { cpu: '1' } } },
      ],
    },
  });
  assert.equal(info(pod).requests.milliCPU, 2000);
  const sidecar = mkPod('s', {
    cpu: '500m',
    spec: { initContainers: [{ name: 'side', restartPolicy: 'Always', resources: { requests: { cpu: '250m' } } }] },
  });
  assert.equal(info(sidecar).requests.milliCPU, 750);
  const withOverhead = mkPod('o', { cpu: '500m', spec: { overhead: { cpu: '250m', memory: '64Mi' } } });
  assert.equal(info(withOverhead).requests.milliCPU, 750);
  assert.equal(info(withOverhead).requests.memory, 64 * 1024 * 1024);
  // a RuntimeClass's overhead counts through spec.overhead, where admission put it; the scheduler
  // does not add the class's overhead a second time, nor to a pod that carries none
  const classes = [rc('kata', 'kata', { overhead: { podFixed: { cpu: '1' } } })];
  assert.equal(info(mkPod('r', { cpu: '500m', spec: { runtimeClassName: 'kata' } }), classes).requests.milliCPU, 500);
  const viaRc = info(mkPod('r', { cpu: '500m', spec: { runtimeClassName: 'kata', overhead: { cpu: '1' } } }), classes);
  assert.equal(viaRc.requests.milliCPU, 1500);
  const node = mkNodeInfo(mkNode('n', { cpu: '1' }));
  assert.deepEqual(insufficientResources(viaRc, node), ['Insufficient cpu']);
});

test('pod count, ephemeral storage and extended resources', () => {
  const full = mkNodeInfo(mkNode('a', { pods: '1' }), [mkPod('x')]);
  assert.deepEqual(insufficientResources(info(mkPod('p')), full), ['Too many pods']);
  const gpuNode = mkNodeInfo(mkNode('g', { extra: { 'example.com/gpu': '1' } }));
  const gpuPod = mkPod('p', {
    spec: { containers: [{ name: 'c', resources: { requests: { 'example.com/gpu': '2', 'ephemeral-storage': '1Gi' } } }] },
  });
  assert.deepEqual(insufficientResources(info(gpuPod), gpuNode), ['Insufficient ephemeral-storage', 'Insufficient example.com/gpu']);
});

test('LeastAllocated prefers emptier nodes', () => {
  const nodes = [mkNodeInfo(mkNode('busy'), [mkPod('x', { cpu: '3', memory: '6Gi' })]), mkNodeInfo(mkNode('idle'))];
  const s = runScore(create(), info(mkPod('p', { cpu: '1', memory: '1Gi' })), nodes);
  assert.ok((s.get('idle') ?? 0) > (s.get('busy') ?? 0));
  assert.equal(leastAllocatedScore(info(mkPod('p', { cpu: '2', memory: '4Gi' })), nodes[1]!), 50);
});
