import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus as Rt, SandboxStatus } from '../runtime/runtime.js';
import { buildPodStatus, podPhase } from './status.js';
import type { ContainerStatus, Pod } from '../../api/gen/types.js';

const S = 1e9;
const sandbox: SandboxStatus = {
  id: 's1',
  state: 'ready',
  createdAt: 1,
  ip: '10.1.0.7',
  additionalIps: [],
  name: 'p',
  namespace: 'ns',
  uid: 'u',
  attempt: 0,
  labels: {},
  annotations: {},
};
const rc = (name: string, attempt: number, over: Partial<Rt>): Rt => ({
  id: `${name}-${attempt}`,
  sandboxId: 's1',
  name,
  attempt,
  state: 'running',
  createdAt: attempt + 1,
  startedAt: 1_700_000_000 * S,
  finishedAt: 0,
  exitCode: 0,
  reason: '',
  message: '',
  image: 'busybox',
  imageRef: 'sha256:abc',
  labels: { 'io.kubernetes.container.name': name },
  annotations: {},
  logPath: '',
  ...over,
});
const pod = (restartPolicy = 'Always'): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'u' },
  spec: {
    restartPolicy,
    initContainers: [{ name: 'init', image: 'busybox' }],
    containers: [
      { name: 'web', image: 'busybox' },
      { name: 'side', image: 'busybox', readinessProbe: { exec: { command: ['true'] } } },
    ],
  },
  status: { qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }] },
});

const cs = (state: ContainerStatus['state'], lastState: ContainerStatus['lastState'] = {}): ContainerStatus => ({
  name: 'x',
  state,
  lastState,
  ready: false,
  restartCount: 0,
  image: '',
  imageID: '',
});

test('phase rules', () => {
  const done = cs({ terminated: { exitCode: 0 } });
  const failed = cs({ terminated: { exitCode: 1 } });
  const running = cs({ running: {} });
  const waiting = cs({ waiting: { reason: 'ContainerCreating' } });
  const backoff = cs({ waiting: { reason: 'CrashLoopBackOff' } }, { terminated: { exitCode: 1 } });
  assert.equal(podPhase('Always', [], [waiting]), 'Pending');
  assert.equal(podPhase('Always', [], [running, waiting]), 'Pending');
  assert.equal(podPhase('Always', [], [running]), 'Running');
  assert.equal(podPhase('Always', [], [backoff]), 'Running');
  assert.equal(podPhase('Always', [], [done]), 'Running');
  assert.equal(podPhase('OnFailure', [], [done, done]), 'Succeeded');
  assert.equal(podPhase('OnFailure', [], [done, failed]), 'Running');
  assert.equal(podPhase('Never', [], [done, failed]), 'Failed');
  assert.equal(podPhase('Never', [], [done, running]), 'Running');
  assert.equal(podPhase('Never', [failed], [waiting]), 'Failed');
  assert.equal(podPhase('Always', [backoff], [waiting]), 'Pending');
  assert.equal(podPhase('Always', [running], [waiting]), 'Pending');
  assert.equal(podPhase('Always', [done], [running]), 'Running');
  const sidecar = { ...running, started: true };
  assert.equal(podPhase('Always', [sidecar], [running], false, [true]), 'Running');
  assert.equal(podPhase('Always', [sidecar], [running], false, [false]), 'Pending');
  // a deleted pod whose containers were stopped is terminal even with restartPolicy Always
  assert.equal(podPhase('Always', [], [failed], true), 'Failed');
  assert.equal(podPhase('Always', [], [done], true), 'Succeeded');
});

test('status: running containers, readiness, OOMKilled in lastState, conditions', () => {
  const view = {
    sandboxes: [sandbox],
    containers: [
      rc('init', 0, { state: 'exited', exitCode: 0, reason: 'Completed', finishedAt: 1_700_000_001 * S }),
      rc('web', 2, { state: 'running' }),
      rc('web', 1, { state: 'exited', exitCode: 137, reason: 'OOMKilled', finishedAt: 1_700_000_002 * S }),
      rc('side', 0, { state: 'running' }),
    ],
  };
  const st = buildPodStatus({
    pod: pod(),
    view,
    runtimeName: 'containerd',
    waiting: new Map(),
    hostIPs: ['192.0.2.1'],
    now: 1_700_000_100_000,
    probe: (id) => ({ ready: id !== 'side-0', started: true }),
  });
  assert.equal(st.phase, 'Running');
  assert.equal(st.podIP, '10.1.0.7');
  assert.deepEqual(st.podIPs, [{ ip: '10.1.0.7' }]);
  assert.equal(st.hostIP, '192.0.2.1');
  assert.equal(st.qosClass, 'BestEffort');
  const web = st.containerStatuses?.[0];
  assert.equal(web?.restartCount, 2);
  assert.equal(web?.containerID, 'containerd://web-2');
  assert.equal(web?.ready, true);
  assert.equal(web?.imageID, 'sha256:abc');
  assert.deepEqual(web?.state, { running: { startedAt: '2023-11-14T22:13:20Z' } });
  assert.equal(web?.lastState?.terminated?.reason, 'OOMKilled');
  assert.equal(web?.lastState?.terminated?.exitCode, 137);
  assert.equal(web?.lastState?.terminated?.containerID, 'containerd://web-1');
  assert.equal(st.initContainerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  assert.equal(st.initContainerStatuses?.[0]?.ready, true);
  const cond = Object.fromEntries((st.conditions ?? []).map((c) => [c.type, c]));
  assert.equal(cond['PodReadyToStartContainers']?.status, 'True');
  assert.equal(cond['Initialized']?.status, 'True');
  assert.equal(cond['ContainersReady']?.status, 'False');
  assert.equal(cond['ContainersReady']?.message, 'containers with unready status: [side]');
  assert.equal(cond['Ready']?.reason, 'ContainersNotReady');
  assert.equal(cond['PodScheduled']?.lastTransitionTime, '2024-01-01T00:00:00Z');
});

test('status: waiting reasons, CrashLoopBackOff with the last exit, pending init', () => {
  const view = {
    sandboxes: [sandbox],
    containers: [rc('init', 3, { state: 'exited', exitCode: 1, reason: 'Error', finishedAt: 1_700_000_001 * S })],
  };
  const waiting = new Map([['init', { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=init pod=p_ns(u)' }]]);
  const st = buildPodStatus({
    pod: pod(),
    view,
    runtimeName: 'containerd',
    waiting,
    hostIPs: [],
    now: 0,
    probe: () => ({ ready: true, started: true }),
  });
  assert.equal(st.phase, 'Pending');
  const init = st.initContainerStatuses?.[0];
  assert.equal(init?.state?.waiting?.reason, 'CrashLoopBackOff');
  assert.equal(init?.lastState?.terminated?.exitCode, 1);
  assert.equal(init?.restartCount, 3);
  assert.equal(st.containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
  const cond = Object.fromEntries((st.conditions ?? []).map((c) => [c.type, c]));
  assert.equal(cond['Initialized']?.message, 'containers with incomplete status: [init]');
  const never = buildPodStatus({
    pod: pod('Never'),
    view,
    runtimeName: 'containerd',
    waiting: new Map(),
    hostIPs: [],
    now: 0,
    probe: () => ({ ready: true, started: true }),
  });
  assert.equal(never.phase, 'Failed');
});
