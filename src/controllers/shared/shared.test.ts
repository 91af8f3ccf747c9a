import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, computeHash, fnv32a, jsonEqual, safeEncode } from './template-hash.js';
import { slowStartBatch } from './slow-start.js';
import { createExpectations } from './expectations.js';
import { adoptPatch, controllerKey, controllerRefOf, releasePatch } from './owner-refs.js';
import { isPodAvailable, msUntilAvailable } from './pod-status.js';

test('fnv32a matches the published FNV-1a test vectors', () => {
  assert.equal(fnv32a(''), 0x811c9dc5);
  assert.equal(fnv32a('a'), 0xe40c292c);
  assert.equal(fnv32a('foobar'), 0xbf9cf968);
});

test('hashes are stable under key order, change with content and collision count, and use the safe alphabet', () => {
  const a = computeHash({ x: 1, y: { b: 2, a: [1, 2] } });
  const b = computeHash({ y: { a: [1, 2], b: 2 }, x: 1 });
  assert.equal(a, b);
  assert.notEqual(a, computeHash({ x: 2, y: { b: 2, a: [1, 2] } }));
  assert.notEqual(a, computeHash({ x: 1, y: { b: 2, a: [1, 2] } }, 1));
  assert.match(a, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(safeEncode('0123456789'), '456789bcdf'); // char code mod 27
  assert.equal(canonicalJson({ b: 1, a: undefined, c: [undefined] }), '{"b":1,"c":[null]}');
  assert.ok(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }));
  assert.ok(!jsonEqual({ a: [1] }, { a: [1, 2] }));
});

test('slow start: batches of 1, 2, 4, ... and a failing batch stops the rest', async () => {
  const seen: number[] = [];
  let inFlight = 0,
    maxInFlight = 0;
  const r = await slowStartBatch(
    20,
    async (i) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((res) => setImmediate(res));
      inFlight--;
      seen.push(i);
    },
    { inFlight: 4 },
  );
  assert.deepEqual(r, { succeeded: 20, skipped: 0, errors: [] });
  assert.equal(maxInFlight, 4);
  const calls: number[] = [];
  const f = await slowStartBatch(20, async (i) => {
    calls.push(i);
    if (i === 4) throw new Error('boom');
  });
  // batches: [0] [1,2] [3..6] fails -> 7 calls, 13 skipped
  assert.equal(calls.length, 7);
  assert.equal(f.succeeded, 6);
  assert.equal(f.skipped, 13);
  assert.equal(f.errors.length, 1);
});

test('expectations: satisfied after the creations and deletions are seen, or after the TTL', () => {
  let now = 0;
  const e = createExpectations(() => now, 1000);
  assert.ok(e.satisfied('a'));
  e.expect('a', 2, ['ns/p1']);
  assert.ok(!e.satisfied('a'));
  e.creationObserved('a');
  e.creationObserved('a');
  assert.ok(!e.satisfied('a'));
  e.deletionObserved('a', 'ns/p1');
  assert.ok(e.satisfied('a'));
  e.expect('a', 1);
  now = 1001;
  assert.ok(e.satisfied('a'), 'expired');
});

test('owner reference patches and pod availability', () => {
  const pod = { metadata: { resourceVersion: '7', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u0' }] } };
  const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: 'u1', controller: true, blockOwnerDeletion: true };
  const p = adoptPatch(pod, ref) as { metadata: { ownerReferences: unknown[]; resourceVersion: string } };
  assert.equal(p.metadata.ownerReferences.length, 2);
  assert.equal(p.metadata.resourceVersion, '7');
  assert.equal(
    controllerRefOf({ metadata: { ownerReferences: p.metadata.ownerReferences as typeof pod.metadata.ownerReferences } })?.uid,
    'u1',
  );
  assert.deepEqual(releasePatch(pod, 'u0'), { metadata: { ownerReferences: null, resourceVersion: '7' } });
  const ready = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {},
    status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }] },
  };
  const t = Date.parse('2024-01-01T00:00:00Z');
  assert.ok(isPodAvailable(ready, 0, t));
  assert.ok(!isPodAvailable(ready, 10, t + 9000));
  assert.ok(isPodAvailable(ready, 10, t + 10_000));
  assert.equal(msUntilAvailable(ready, 10, t + 4000), 6000);
});

test('null members hash and compare like absent ones (templates from kubectl rollout undo)', () => {
  const stored = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  const fromUndo = { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  assert.equal(computeHash(fromUndo), computeHash(stored));
  assert.ok(jsonEqual(fromUndo, stored));
  assert.ok(!jsonEqual({ a: 1 }, { a: null }));
});

test('controllerKey: kind, group and (with a cache) the referenced uid decide', () => {
  const ref = { apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'u1', controller: true };
  assert.equal(controllerKey('ns', ref, 'Job'), 'ns/pi');
  assert.equal(controllerKey('ns', ref, 'Job', { group: 'batch' }), 'ns/pi');
  assert.equal(controllerKey('ns', { ...ref, apiVersion: 'example.com/v1' }, 'Job', { group: 'batch' }), undefined);
  assert.equal(controllerKey('ns', ref, 'DaemonSet'), undefined);
  assert.equal(controllerKey('ns', undefined, 'Job'), undefined);
  const cache = new Map([['ns/pi', { metadata: { uid: 'u1' } }]]);
  assert.equal(controllerKey('ns', ref, 'Job', { cached: (k) => cache.get(k) }), 'ns/pi');
  assert.equal(controllerKey('ns', { ...ref, uid: 'u0' }, 'Job', { cached: (k) => cache.get(k) }), undefined, 'a deleted namesake');
  assert.equal(controllerKey('other', ref, 'Job', { cached: (k) => cache.get(k) }), undefined, 'not cached');
});
