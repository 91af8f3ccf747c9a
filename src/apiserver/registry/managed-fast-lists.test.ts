// The managedFields shortcut over lists (a pod's status.conditions by type and spec.containers by
// name, associative; status.containerStatuses, atomic in upstream's schema) must give exactly what
// the full computation gives on realistic pod writes, and step aside whenever ownership could move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyObject, JsonObject } from '../../api/object.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { getDefinition } from '../../api/schema/registry.js';
import { createManagedFieldsJson, updateManagedFields } from '../patch/index.js';
import { unchangedOwnership } from './managed-fast.js';
import { trackWrite } from './managed.js';

const T = '2026-12-07T12:00:00Z';
const T2 = '2026-12-07T12:00:07Z';
const NOW = Date.UTC(2026, 11, 7, 12, 0, 9);
const POD = podKind.schema;
type Rec = Record<string, unknown>;

function created(obj: AnyObject, manager: string): AnyObject {
  const mf = createManagedFieldsJson(obj as unknown as JsonObject, {
    manager,
    apiVersion: 'v1',
    time: T,
    rootDef: POD,
    lookup: getDefinition,
    ignoreStatus: true,
  });
  const out = structuredClone(obj);
  out.metadata.managedFields = JSON.parse(mf ?? '[]') as AnyObject['metadata']['managedFields'];
  return out;
}

/** The full computation (no shortcut), at the time trackWrite would stamp. */
function slow(old: AnyObject, next: AnyObject, manager: string, sub?: string): unknown {
  const out = updateManagedFields(old as unknown as JsonObject, structuredClone(next) as unknown as JsonObject, {
    manager,
    apiVersion: 'v1',
    time: new Date(NOW).toISOString().replace(/\.\d+Z$/, 'Z'),
    rootDef: POD,
    lookup: getDefinition,
    ...(sub ? { subresource: sub } : {}),
    ignoreStatus: sub !== 'status',
  });
  return (out['metadata'] as JsonObject)['managedFields'];
}

/** What trackWrite (shortcut first) stores, on a copy of `next`. */
function tracked(old: AnyObject, next: AnyObject, manager: string, sub?: string): unknown {
  const n = structuredClone(next);
  trackWrite(podKind, old, n, manager, 'Update', sub, NOW);
  return n.metadata.managedFields;
}

const fast = (old: AnyObject, next: AnyObject, manager: string, sub?: string) =>
  unchangedOwnership(old, structuredClone(next), manager, 'v1', sub, sub !== 'status', POD);

const pod = (): AnyObject =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'd', uid: 'u', labels: { app: 'web' } },
    spec: {
      nodeName: 'n1',
      containers: [
        { name: 'main', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }] },
        { name: 'side', image: 'busybox:1' },
      ],
    },
  }) as unknown as AnyObject;

const cond = (type: string, status: boolean, at = T) => ({
  type,
  status: status ? 'True' : 'False',
  lastProbeTime: null,
  lastTransitionTime: at,
});
const cs = (name: string, ready: boolean, restarts = 0) => ({
  name,
  image: 'nginx:1.25',
  imageID: 'nginx@sha256:00',
  containerID: `sim://${name}`,
  ready,
  restartCount: restarts,
  started: true,
  state: { running: { startedAt: T } },
});

/** The pod with the kubelet's status: Running, Ready or not. */
function withStatus(p: AnyObject, ready: boolean, at = T, restarts = 0): AnyObject {
  const out = structuredClone(p) as unknown as Rec;
  out['status'] = {
    phase: 'Running',
    conditions: [
      cond('PodReadyToStartContainers', true),
      cond('Initialized', true),
      cond('Ready', ready, at),
      cond('ContainersReady', ready, at),
      cond('PodScheduled', true),
    ],
    hostIP: '10.200.0.1',
    podIP: '10.128.0.9',
    podIPs: [{ ip: '10.128.0.9' }],
    startTime: T,
    containerStatuses: [cs('main', ready, restarts), cs('side', ready, restarts)],
  };
  return out as unknown as AnyObject;
}

/** The pod after the kubelet's first status write (full path), as stored. */
function running(): AnyObject {
  const base = created(pod(), 'kube-controller-manager');
  const next = withStatus(pod(), false);
  next.metadata.managedFields = base.metadata.managedFields;
  const first = structuredClone(next);
  first.metadata.managedFields = tracked(base, withStatus(pod(), false), 'kubelet', 'status') as AnyObject['metadata']['managedFields'];
  return first;
}

test('the Ready flip (conditions by type, containerStatuses by name) takes the shortcut and matches the full computation', () => {
  const old = running();
  for (const next of [withStatus(pod(), true), withStatus(pod(), true, T2), withStatus(pod(), true, T2, 3)]) {
    assert.equal(fast(old, next, 'kubelet', 'status'), true);
    assert.deepEqual(tracked(old, next, 'kubelet', 'status'), slow(old, next, 'kubelet', 'status'));
    assert.deepEqual(tracked(old, next, 'kubelet', 'status'), old.metadata.managedFields);
  }
  // and back to not ready
  const ready = withStatus(pod(), true);
  ready.metadata.managedFields = old.metadata.managedFields;
  const unready = withStatus(pod(), false, T2);
  assert.equal(fast(ready, unready, 'kubelet', 'status'), true);
  assert.deepEqual(tracked(ready, unready, 'kubelet', 'status'), slow(ready, unready, 'kubelet', 'status'));
});

test('a spec value inside spec.containers (by name) owned by its writer alone takes the shortcut, as the full path says', () => {
  const old = created(pod(), 'rs');
  const next = pod();
  (next as unknown as { spec: { containers: Rec[] } }).spec.containers[1]!['image'] = 'busybox:2';
  assert.equal(fast(old, next, 'rs'), true);
  assert.deepEqual(tracked(old, next, 'rs'), slow(old, next, 'rs'));
  // a list nested in an item (ports by containerPort+protocol) too
  const port = pod();
  ((port as unknown as { spec: { containers: Rec[] } }).spec.containers[0]!['ports'] as Rec[])[0]!['name'] = 'http';
  assert.equal(fast(old, port, 'rs'), false, 'a new member is structural');
  assert.deepEqual(tracked(old, port, 'rs'), slow(old, port, 'rs'));
});

test('items added, removed, reordered or renamed, and values another manager owns, take the full path with the same result', () => {
  const old = running();
  const variants: [string, (s: Rec) => void][] = [
    ['condition added', (s) => (s['conditions'] as Rec[]).push(cond('DisruptionTarget', true))],
    ['condition removed', (s) => (s['conditions'] as Rec[]).pop()],
    ['conditions reordered', (s) => (s['conditions'] as Rec[]).reverse()],
    ['duplicate key', (s) => ((s['conditions'] as Rec[])[1]!['type'] = 'PodReadyToStartContainers')],
    ['podIPs (by ip) changed key', (s) => (s['podIPs'] = [{ ip: '10.128.0.10' }])],
    ['a member added inside a condition', (s) => ((s['conditions'] as Rec[])[2]!['reason'] = 'ContainersNotReady')],
  ];
  for (const [what, change] of variants) {
    const next = withStatus(pod(), true);
    change((next as unknown as { status: Rec }).status);
    assert.equal(fast(old, next, 'kubelet', 'status'), false, what);
    assert.deepEqual(tracked(old, next, 'kubelet', 'status'), slow(old, next, 'kubelet', 'status'), what);
  }
  // another manager (the scheduler's binding) flips PodScheduled: it does not own it alone
  const next = withStatus(pod(), false);
  (((next as unknown as { status: Rec }).status['conditions'] as Rec[])[4] as Rec)['status'] = 'False';
  assert.equal(fast(old, next, 'scheduler', 'status'), false);
  assert.deepEqual(tracked(old, next, 'scheduler', 'status'), slow(old, next, 'scheduler', 'status'));
  // and then the kubelet's flip of that condition is not its own alone any more
  const after = structuredClone(next);
  after.metadata.managedFields = tracked(old, next, 'scheduler', 'status') as AnyObject['metadata']['managedFields'];
  const back = withStatus(pod(), false);
  assert.equal(fast(after, back, 'kubelet', 'status'), false);
  assert.deepEqual(tracked(after, back, 'kubelet', 'status'), slow(after, back, 'kubelet', 'status'));
});

test('an atomic list (containerStatuses, hostIPs) is one value: any change inside it is its owner alone', () => {
  const old = running();
  const changes: [string, (s: Rec) => void][] = [
    ['container renamed', (s) => ((s['containerStatuses'] as Rec[])[1]!['name'] = 'other')],
    ['state changed shape', (s) => ((s['containerStatuses'] as Rec[])[0]!['state'] = { waiting: { reason: 'CrashLoopBackOff' } })],
    ['a container status dropped', (s) => (s['containerStatuses'] as Rec[]).pop()],
  ];
  for (const [what, change] of changes) {
    const next = withStatus(pod(), true);
    change((next as unknown as { status: Rec }).status);
    assert.equal(fast(old, next, 'kubelet', 'status'), true, what);
    assert.deepEqual(tracked(old, next, 'kubelet', 'status'), slow(old, next, 'kubelet', 'status'), what);
  }
  // hostIPs is new (structural); another manager changing the atomic list is not the shortcut's
  const hosts = withStatus(pod(), true);
  (hosts as unknown as { status: Rec }).status['hostIPs'] = [{ ip: '10.200.0.1' }];
  assert.equal(fast(old, hosts, 'kubelet', 'status'), false);
  const other = withStatus(pod(), true);
  assert.equal(fast(old, other, 'someone-else', 'status'), false);
  assert.deepEqual(tracked(old, other, 'someone-else', 'status'), slow(old, other, 'someone-else', 'status'));
});

test('without the schema, lists stay atomic for the shortcut (the old behaviour)', () => {
  const old = running();
  const next = withStatus(pod(), true);
  assert.equal(unchangedOwnership(old, structuredClone(next), 'kubelet', 'v1', 'status', false), false);
});

test('managedFields sent back as stored take the shortcut; stale or edited ones take the full path', () => {
  const old = running();
  const echoed = withStatus(pod(), true);
  echoed.metadata.managedFields = structuredClone(old.metadata.managedFields);
  assert.equal(fast(old, echoed, 'kubelet', 'status'), true);
  assert.deepEqual(tracked(old, echoed, 'kubelet', 'status'), slow(old, echoed, 'kubelet', 'status'));
  // the create's list, stale after the kubelet's first write: it replaces the stored one (upstream's rule)
  const stale = withStatus(pod(), true);
  stale.metadata.managedFields = created(pod(), 'kube-controller-manager').metadata.managedFields;
  assert.equal(fast(old, stale, 'kubelet', 'status'), false);
  assert.deepEqual(tracked(old, stale, 'kubelet', 'status'), slow(old, stale, 'kubelet', 'status'));
});
