import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/gen/types.js';
import { buildPodStatus } from './pod-status.js';

const T0 = Date.UTC(2024, 0, 1, 0, 0, 0);
const base = (): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'd', uid: 'u' },
  spec: {
    containers: [
      { name: 'a', image: 'img:1', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } },
      { name: 'b', image: 'img:2', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } },
    ],
    initContainers: [{ name: 'init', image: 'i' }],
  },
  status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2023-12-31T00:00:00Z' }] },
});

test('creating, then running: conditions, IPs, container states, QoS, kept transition times', () => {
  const creating = buildPodStatus(base(), 'creating', { nowMs: T0, hostIP: '10.200.0.2' });
  assert.equal(creating.phase, 'Pending');
  assert.equal(creating.podIP, undefined);
  assert.deepEqual(
    creating.containerStatuses?.map((c) => c.state?.waiting?.reason),
    ['ContainerCreating', 'ContainerCreating'],
  );
  assert.equal(creating.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  const p = base();
  p.status = creating;
  const running = buildPodStatus(p, 'running', { nowMs: T0 + 5000, hostIP: '10.200.0.2', podIP: '10.128.0.9' });
  assert.equal(running.phase, 'Running');
  assert.equal(running.podIP, '10.128.0.9');
  assert.deepEqual(running.podIPs, [{ ip: '10.128.0.9' }]);
  assert.deepEqual(running['hostIPs'], [{ ip: '10.200.0.2' }]);
  assert.equal(running['startTime'], '2024-01-01T00:00:00Z', 'start time kept from the first write');
  assert.equal(running.qosClass, 'Burstable', 'the init container has no limits');
  const kept = base();
  kept.status = { qosClass: 'Guaranteed' };
  assert.equal(buildPodStatus(kept, 'running', { nowMs: T0, hostIP: 'h' }).qosClass, 'Guaranteed', 'a qosClass already set is kept');
  assert.deepEqual(
    running.conditions?.map((c) => [c.type, c.status]),
    [
      ['PodReadyToStartContainers', 'True'],
      ['Initialized', 'True'],
      ['Ready', 'True'],
      ['ContainersReady', 'True'],
      ['PodScheduled', 'True'],
    ],
  );
  assert.equal(running.conditions?.find((c) => c.type === 'PodScheduled')?.['lastTransitionTime'], '2023-12-31T00:00:00Z');
  assert.equal(running.conditions?.find((c) => c.type === 'Initialized')?.['lastTransitionTime'], '2024-01-01T00:00:00Z');
  assert.equal(running.conditions?.find((c) => c.type === 'Ready')?.['lastTransitionTime'], '2024-01-01T00:00:05Z');
  assert.ok(
    running.containerStatuses?.every(
      (c) => c.ready === true && c.started === true && c.state?.running?.startedAt === '2024-01-01T00:00:05Z',
    ),
  );
  assert.equal(running.initContainerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
});

test('a readiness gate that is not True keeps the pod not Ready', () => {
  const p = base();
  p.spec!.readinessGates = [{ conditionType: 'example.com/lb' }];
  const st = buildPodStatus(p, 'running', { nowMs: T0, hostIP: 'h', podIP: 'i' });
  assert.equal(st.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  assert.equal(st.conditions?.find((c) => c.type === 'ContainersReady')?.status, 'True');
  p.status = { conditions: [{ type: 'example.com/lb', status: 'True' }] };
  const st2 = buildPodStatus(p, 'running', { nowMs: T0, hostIP: 'h', podIP: 'i' });
  assert.equal(st2.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  assert.ok(
    st2.conditions?.some((c) => c.type === 'example.com/lb'),
    'foreign conditions kept',
  );
});

test('terminal statuses', () => {
  const p = base();
  p.status = buildPodStatus(p, 'running', { nowMs: T0, hostIP: 'h', podIP: '10.1.1.1' });
  const ok = buildPodStatus(p, 'succeeded', { nowMs: T0 + 1000, hostIP: 'h', exitCode: 0 });
  assert.equal(ok.phase, 'Succeeded');
  assert.equal(ok.podIP, '10.1.1.1');
  assert.deepEqual(
    ok.containerStatuses?.map((c) => [c.state?.terminated?.exitCode, c.state?.terminated?.reason, c.state?.terminated?.startedAt]),
    [
      [0, 'Completed', '2024-01-01T00:00:00Z'],
      [0, 'Completed', '2024-01-01T00:00:00Z'],
    ],
  );
  assert.equal(ok.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
  const bad = buildPodStatus(p, 'failed', { nowMs: T0, hostIP: 'h', exitCode: 1 });
  assert.equal(bad.phase, 'Failed');
  assert.equal(bad.containerStatuses?.[0]?.state?.terminated?.reason, 'Error');
  const term = buildPodStatus(p, 'terminating', { nowMs: T0, hostIP: 'h' });
  assert.equal(term.phase, 'Succeeded');
  assert.ok(term.containerStatuses?.every((c) => c.state?.terminated !== undefined));
  p.spec!.os = { name: 'windows' };
  const rej = buildPodStatus(base(), 'rejected', { nowMs: T0, hostIP: 'h' });
  assert.equal(rej.phase, 'Failed');
  assert.equal(rej.reason, 'PodOSNotSupported');
});
