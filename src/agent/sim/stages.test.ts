import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/gen/types.js';
import { defaultStages, matchStage, podFacts, podState, stageMatches, stageDelayMs, type Stage } from './stages.js';

function pod(
  o: {
    phase?: string;
    containers?: 'waiting' | 'running' | 'terminated';
    deleting?: boolean;
    restartPolicy?: string;
    owner?: string;
    annotations?: Record<string, string>;
    os?: string;
  } = {},
): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
    spec: { containers: [{ name: 'c' }] },
    status: {},
  };
  if (o.phase) p.status = { ...p.status, phase: o.phase };
  if (o.containers) {
    const state =
      o.containers === 'waiting'
        ? { waiting: { reason: 'ContainerCreating' } }
        : o.containers === 'running'
          ? { running: {} }
          : { terminated: { exitCode: 0 } };
    p.status = { ...p.status, containerStatuses: [{ name: 'c', image: '', imageID: '', ready: false, restartCount: 0, state }] };
  }
  if (o.deleting) p.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
  if (o.restartPolicy && p.spec) p.spec.restartPolicy = o.restartPolicy;
  if (o.owner) p.metadata.ownerReferences = [{ apiVersion: 'batch/v1', kind: o.owner, name: 'j', uid: 'x' }];
  if (o.annotations) p.metadata.annotations = o.annotations;
  if (o.os && p.spec) p.spec.os = { name: o.os };
  return p;
}
const stageOf = (table: Stage[], p: Pod, os = 'linux') => matchStage(table, podFacts(p, os))?.name;

test('pod state comes from phase and container statuses', () => {
  assert.equal(podState(pod()), 'pending');
  assert.equal(podState(pod({ phase: 'Pending' })), 'pending');
  assert.equal(podState(pod({ phase: 'Pending', containers: 'waiting' })), 'creating');
  assert.equal(podState(pod({ phase: 'Running', containers: 'running' })), 'running');
  assert.equal(podState(pod({ phase: 'Succeeded' })), 'succeeded');
  assert.equal(podState(pod({ phase: 'Failed' })), 'failed');
});

test('default table: straight to running, then nothing for a plain Always pod', () => {
  const t = defaultStages();
  assert.equal(stageOf(t, pod()), 'pod-start');
  assert.equal(matchStage(t, podFacts(pod(), 'linux'))?.next.action, 'status');
  assert.equal(stageOf(t, pod({ phase: 'Running', containers: 'running' })), undefined);
  assert.equal(stageOf(t, pod({ phase: 'Succeeded', containers: 'terminated' })), undefined);
});

test('default table with a create delay goes through ContainerCreating', () => {
  const t = defaultStages({ createDelayMs: 500 });
  assert.equal(stageOf(t, pod()), 'pod-create');
  const start = matchStage(t, podFacts(pod({ phase: 'Pending', containers: 'waiting' }), 'linux'));
  assert.equal(start?.name, 'pod-start');
  assert.equal(start && stageDelayMs(start, {}, () => 0), 500);
});

test('jobs and annotated run-once pods complete; Always pods with the annotation do not', () => {
  const t = defaultStages({ completeAfterMs: 1500 });
  const job = pod({ phase: 'Running', containers: 'running', restartPolicy: 'OnFailure', owner: 'Job' });
  const s = matchStage(t, podFacts(job, 'linux'));
  assert.equal(s?.name, 'pod-complete');
  assert.equal(s && stageDelayMs(s, {}), 1500);
  const annotated = pod({
    phase: 'Running',
    containers: 'running',
    restartPolicy: 'Never',
    annotations: { 'tandem.io/sim-run-seconds': '0.2' },
  });
  const s2 = matchStage(t, podFacts(annotated, 'linux'));
  assert.equal(s2?.name, 'pod-complete');
  assert.equal(s2 && stageDelayMs(s2, annotated.metadata.annotations ?? {}), 200);
  assert.equal(stageOf(t, pod({ phase: 'Running', containers: 'running', annotations: { 'tandem.io/sim-run-seconds': '1' } })), undefined);
  assert.equal(stageOf(t, pod({ phase: 'Running', containers: 'running', restartPolicy: 'Never', owner: 'ReplicaSet' })), undefined);
  // a bad annotation falls back to the configured time
  assert.equal(s2 && stageDelayMs(s2, { 'tandem.io/sim-run-seconds': 'soon' }), 1500);
});

test('failure annotation, OS mismatch and deletion', () => {
  const t = defaultStages();
  const fail = matchStage(
    t,
    podFacts(pod({ phase: 'Running', containers: 'running', annotations: { 'tandem.io/sim-fail': 'true' } }), 'linux'),
  );
  assert.deepEqual([fail?.name, fail?.next], ['pod-fail', { action: 'status', to: 'failed', exitCode: 1, reason: 'Error' }]);
  assert.equal(stageOf(t, pod({ os: 'windows' }), 'linux'), 'pod-reject-os');
  assert.equal(stageOf(t, pod({ os: 'windows' }), 'windows'), 'pod-start');
  assert.equal(stageOf(t, pod({ phase: 'Running', containers: 'running', deleting: true })), 'pod-terminate');
  assert.equal(stageOf(t, pod({ phase: 'Succeeded', containers: 'terminated', deleting: true })), 'pod-delete');
  assert.equal(stageOf(t, pod({ deleting: true })), 'pod-delete');
  // deletion wins over everything else
  assert.equal(stageOf(t, pod({ os: 'windows', deleting: true })), 'pod-delete');
  const noMark = defaultStages({ markTerminatedOnDelete: false, deleteDelayMs: 300 });
  const del = matchStage(noMark, podFacts(pod({ phase: 'Running', containers: 'running', deleting: true }), 'linux'));
  assert.equal(del?.name, 'pod-delete');
  assert.equal(del && stageDelayMs(del, {}), 300);
});

test('selectors: annotation presence vs value, empty selector, jitter bounds', () => {
  const f = podFacts(pod({ annotations: { a: 'x' } }), 'linux');
  assert.equal(stageMatches({}, f), true);
  assert.equal(stageMatches({ annotations: { a: null } }, f), true);
  assert.equal(stageMatches({ annotations: { a: 'y' } }, f), false);
  assert.equal(stageMatches({ annotations: { b: null } }, f), false);
  assert.equal(stageMatches({ ownerKind: ['Job'] }, f), false);
  const s: Stage = { name: 's', anyOf: [{}], delay: { ms: 100, jitterMs: 50 }, next: { action: 'delete' } };
  assert.equal(
    stageDelayMs(s, {}, () => 0),
    100,
  );
  assert.equal(
    stageDelayMs(s, {}, () => 0.999),
    150,
  );
});
