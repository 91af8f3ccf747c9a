import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../../base/testing/manual-clock.js';
import { createLeaseWheel } from './lease-wheel.js';
import { createTimerQueue } from './timer-queue.js';
import { createKeyedPool } from './keyed-pool.js';
import { buildNodeLease } from '../node/node-lease.js';

test('every slot fires once per interval, spread evenly over the ticks', () => {
  const clock = createManualClock(1_000_000);
  const fired: number[][] = [];
  let current: number[] = [];
  const w = createLeaseWheel({ clock, slots: 5000, intervalMs: 10_000, tickMs: 100, phase: 0.37, onDue: (i) => current.push(i) });
  w.start();
  for (let t = 0; t < 200; t++) {
    // two intervals
    clock.advance(100);
    fired.push(current);
    current = [];
  }
  const counts = new Map<number, number>();
  for (const batch of fired) for (const i of batch) counts.set(i, (counts.get(i) ?? 0) + 1);
  assert.equal(counts.size, 5000);
  for (const [, n] of counts) assert.equal(n, 2);
  // 5,000 nodes / 10 s = 500/s: 50 per 100 ms tick, never a burst
  for (const batch of fired) assert.equal(batch.length, 50);
  assert.equal(w.offsetOf(2500), 5000);
  w.stop();
  clock.advance(1000);
  assert.equal(current.length, 0);
});

test('a late tick catches up without losing or repeating slots; a stall of a whole interval fires all once', () => {
  const clock = createManualClock(0);
  const seen: number[] = [];
  const w = createLeaseWheel({ clock, slots: 7, intervalMs: 700, tickMs: 50, phase: 0, onDue: (i) => seen.push(i) });
  w.start();
  clock.advance(350);
  assert.deepEqual(seen, [1, 2, 3]);
  clock.advance(350);
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 0]);
  seen.length = 0;
  // slow ticks (uneven spacing): still each slot exactly once per interval
  const w2seen: number[] = [];
  const c2 = createManualClock(0);
  let delay = 0;
  const real = c2.schedule.bind(c2);
  c2.schedule = (fn, ms) => real(fn, ms + (delay = (delay + 37) % 90));
  const w2 = createLeaseWheel({ clock: c2, slots: 10, intervalMs: 1000, tickMs: 50, phase: 0.5, onDue: (i) => w2seen.push(i) });
  w2.start();
  c2.advance(3000);
  const per = new Map<number, number>();
  for (const i of w2seen) per.set(i, (per.get(i) ?? 0) + 1);
  for (let i = 0; i < 10; i++) assert.ok((per.get(i) ?? 0) >= 2 && (per.get(i) ?? 0) <= 3, `slot ${i}: ${per.get(i)}`);
  w.stop();
  w2.stop();
});

test('timer queue: one timer, deadlines move, deleted keys never fire', () => {
  const clock = createManualClock(0);
  const fired: string[] = [];
  const q = createTimerQueue(clock, (k) => fired.push(`${k}@${clock.now()}`));
  q.set('a', 300);
  q.set('b', 100);
  q.set('c', 200);
  q.set('a', 50); // moved earlier
  q.delete('c');
  assert.equal(clock.pending(), 1);
  clock.advance(500);
  assert.deepEqual(fired, ['a@50', 'b@100']);
  assert.equal(q.size(), 0);
  for (let i = 0; i < 1000; i++) q.set('x', 1000 + i); // many moves of one key stay bounded
  clock.advance(2000);
  assert.deepEqual(fired.slice(2), ['x@1999']);
  q.stop();
});

test('keyed pool: bounded concurrency, one queued write per key, re-run after an in-flight submit', async () => {
  let running = 0,
    peak = 0;
  const done: string[] = [];
  const release: Array<() => void> = [];
  const pool = createKeyedPool(
    2,
    async (k) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((r) => release.push(r));
      running--;
      done.push(k);
    },
    () => {},
  );
  for (const k of ['a', 'b', 'c', 'c', 'c']) pool.submit(k);
  assert.equal(pool.inFlight(), 2);
  assert.equal(pool.queued(), 1);
  pool.submit('a'); // in flight: runs once more later
  while (release.length > 0 || pool.inFlight() > 0) {
    release.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  await pool.idle();
  assert.deepEqual(done.sort(), ['a', 'a', 'b', 'c']);
  assert.equal(peak, 2);
});

test('keyed pool: urgent keys (Lease renewals) start before queued status writes', async () => {
  const started: string[] = [];
  const release: Array<() => void> = [];
  const pool = createKeyedPool(
    1,
    async (k) => {
      started.push(k);
      await new Promise<void>((r) => release.push(r));
    },
    () => {},
    (k) => k.startsWith('L:'),
  );
  for (const k of ['S:a', 'S:b', 'S:c', 'L:a', 'S:d', 'L:b']) pool.submit(k);
  while (release.length > 0 || pool.inFlight() > 0) {
    release.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  await pool.idle();
  assert.deepEqual(started, ['S:a', 'L:a', 'L:b', 'S:b', 'S:c', 'S:d']);
});

test('node lease shape', () => {
  const l = buildNodeLease('n1', 'uid-1', Date.UTC(2024, 0, 2, 3, 4, 5, 678), 40, '17');
  assert.equal(l.spec?.renewTime, '2024-01-02T03:04:05.678000Z');
  assert.equal(l.metadata.namespace, 'kube-node-lease');
  assert.equal(l.metadata.resourceVersion, '17');
  assert.deepEqual(l.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'uid-1' }]);
  assert.equal(buildNodeLease('n1', undefined, 0, 40).metadata.ownerReferences, undefined);
});
