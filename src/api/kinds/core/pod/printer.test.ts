import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podTable } from './printer.js';
import type { Pod as PodT, PodStatus as PodStatusT } from '../../../gen/types.js';
import type { Unvalidated, UnvalidatedObject } from '../../../unvalidated.js';

type Pod = UnvalidatedObject<PodT>;
type PodStatus = Unvalidated<PodStatusT>;

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const MIN = 60_000;

function pod(status: PodStatus, extra: Partial<Pod> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(10 * MIN) },
    spec: { containers: [{ name: 'app', image: 'nginx' }], nodeName: 'node-1' },
    status,
    ...extra,
  };
}
const row = (p: Pod) => podTable.row(p, NOW);

test('columns match upstream names, types and priorities', () => {
  assert.deepEqual(
    podTable.columns.map((c) => `${c.name}:${c.type}:${c.priority}`),
    [
      'Name:string:0',
      'Ready:string:0',
      'Status:string:0',
      'Restarts:string:0',
      'Age:string:0',
      'IP:string:1',
      'Node:string:1',
      'Nominated Node:string:1',
      'Readiness Gates:string:1',
    ],
  );
  assert.equal(podTable.columns[0]?.format, 'name');
});

test('Running pod', () => {
  const p = pod({
    phase: 'Running',
    podIPs: [{ ip: '10.1.0.5' }],
    containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: { startedAt: ago(MIN) } } }],
  });
  assert.deepEqual(row(p), ['web', '1/1', 'Running', '0', '10m', '10.1.0.5', 'node-1', '<none>', '<none>']);
});

test('Pending pod without node', () => {
  const p = pod({ phase: 'Pending' });
  delete p.spec?.nodeName;
  assert.deepEqual(row(p), ['web', '0/1', 'Pending', '0', '10m', '<none>', '<none>', '<none>', '<none>']);
});

test('CrashLoopBackOff with restarts and last restart age', () => {
  const p = pod({
    phase: 'Running',
    containerStatuses: [
      {
        name: 'app',
        ready: false,
        restartCount: 5,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * MIN) } },
      },
    ],
  });
  const r = row(p);
  assert.equal(r[1], '0/1');
  assert.equal(r[2], 'CrashLoopBackOff');
  assert.equal(r[3], '5 (5m ago)');
});

test('Terminating pod', () => {
  const p = pod({ phase: 'Running', containerStatuses: [{ name: 'app', ready: true, state: { running: {} } }] });
  p.metadata.deletionTimestamp = ago(0);
  assert.equal(row(p)[2], 'Terminating');
  const done = pod({ phase: 'Succeeded' });
  done.metadata.deletionTimestamp = ago(0);
  assert.equal(row(done)[2], 'Succeeded');
});

test('Completed pod', () => {
  const p = pod({
    phase: 'Succeeded',
    containerStatuses: [{ name: 'app', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
  });
  assert.deepEqual(row(p).slice(1, 4), ['0/1', 'Completed', '0']);
});

test('Init:0/1 and init failures', () => {
  const base = { initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'app', image: 'nginx' }] };
  const p = pod({ phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { running: {} } }] }, { spec: base });
  assert.equal(row(p)[2], 'Init:0/1');
  const crash = pod(
    { phase: 'Pending', initContainerStatuses: [{ name: 'init', restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
    { spec: base },
  );
  assert.deepEqual(row(crash).slice(2, 4), ['Init:CrashLoopBackOff', '2']);
  const exit = pod({ phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { terminated: { exitCode: 3 } } }] }, { spec: base });
  assert.equal(row(exit)[2], 'Init:ExitCode:3');
});

test('terminated without reason, sidecars and readiness gates', () => {
  const p = pod({ phase: 'Running', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, signal: 9 } } }] });
  assert.equal(row(p)[2], 'Signal:9');
  const sidecar = pod(
    {
      phase: 'Running',
      initContainerStatuses: [{ name: 'proxy', started: true, ready: true, state: { running: {} } }],
      containerStatuses: [{ name: 'app', ready: true, state: { running: {} } }],
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'gate', status: 'True' },
      ],
    },
    {
      spec: {
        initContainers: [{ name: 'proxy', restartPolicy: 'Always' }],
        containers: [{ name: 'app' }],
        readinessGates: [{ conditionType: 'gate' }, { conditionType: 'other' }],
      },
    },
  );
  const r = row(sidecar);
  assert.equal(r[1], '2/2');
  assert.equal(r[2], 'Running');
  assert.equal(r[8], '1/2');
});
