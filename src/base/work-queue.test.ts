import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBucketRateLimiter, createExponentialRateLimiter, createMaxOfRateLimiter, createWorkQueue } from './work-queue.js';
import { createManualClock } from './testing/manual-clock.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

test('FIFO order and repeated adds collapse', async () => {
  const q = createWorkQueue();
  q.add('a');
  q.add('b');
  q.add('a');
  q.add('c');
  q.add('b');
  assert.equal(q.len(), 3);
  assert.deepEqual([await q.get(), await q.get(), await q.get()], ['a', 'b', 'c']);
  assert.equal(q.len(), 0);
});

test('a key is never handed out twice at once; a re-add while processing queues it after done', async () => {
  const q = createWorkQueue();
  q.add('a');
  const first = await q.get();
  assert.equal(first, 'a');
  q.add('a');
  q.add('a');
  assert.equal(q.len(), 0, 'held back while processing');
  let second: string | undefined;
  void q.get().then((k) => {
    second = k;
  });
  await tick();
  assert.equal(second, undefined, 'a waiting worker does not get the in-process key');
  q.done('a');
  await tick();
  assert.equal(second, 'a');
  q.done('a');
  assert.equal(q.len(), 0, 'only one re-queue for several adds');
});

test('done without a re-add does not requeue', async () => {
  const q = createWorkQueue();
  q.add('x');
  await q.get();
  q.done('x');
  assert.equal(q.len(), 0);
  q.done('never-got'); // harmless
  assert.equal(q.len(), 0);
});

test('concurrent workers never share a key', async () => {
  const q = createWorkQueue<string>();
  const active = new Set<string>();
  let overlaps = 0;
  let processed = 0;
  const worker = async () => {
    for (;;) {
      const k = await q.get();
      if (k === undefined) return;
      if (active.has(k)) overlaps++;
      active.add(k);
      await tick();
      if (processed < 60) q.add(k); // keep re-adding while busy
      processed++;
      active.delete(k);
      q.done(k);
    }
  };
  for (const k of ['a', 'b', 'c']) q.add(k);
  const workers = [worker(), worker(), worker(), worker()];
  while (processed < 60) await tick();
  await q.shutDownWithDrain();
  await Promise.all(workers);
  assert.equal(overlaps, 0);
  assert.ok(processed >= 60);
});

test('waiting get() receives a later add', async () => {
  const q = createWorkQueue();
  const p = q.get();
  q.add('k');
  assert.equal(await p, 'k');
});

test('shutdown: waiting and later get() return undefined, queued items drain first, adds ignored', async () => {
  const q = createWorkQueue();
  const waiting = q.get();
  q.shutDown();
  assert.equal(await waiting, undefined);
  const q2 = createWorkQueue();
  q2.add('a');
  q2.shutDown();
  q2.add('b');
  assert.equal(q2.isShuttingDown(), true);
  assert.equal(await q2.get(), 'a');
  assert.equal(await q2.get(), undefined);
});

test('shutDownWithDrain waits for in-flight items', async () => {
  const q = createWorkQueue();
  q.add('a');
  await q.get();
  let drained = false;
  const d = q.shutDownWithDrain().then(() => {
    drained = true;
  });
  await tick();
  assert.equal(drained, false);
  q.done('a');
  await d;
  assert.equal(drained, true);
});

test('addAfter waits on the injected clock; the earliest pending delay wins', async () => {
  const clock = createManualClock();
  const q = createWorkQueue({ clock });
  q.addAfter('a', 100);
  q.addAfter('a', 50);
  q.addAfter('a', 80);
  q.addAfter('b', 0);
  assert.equal(q.len(), 1, 'zero delay adds at once');
  assert.equal(await q.get(), 'b');
  clock.advance(49);
  assert.equal(q.len(), 0);
  clock.advance(1);
  assert.equal(q.len(), 1);
  assert.equal(await q.get(), 'a');
  q.done('a');
  clock.advance(1000);
  assert.equal(q.len(), 0, 'the superseded timers do not add again');
  q.addAfter('c', 10);
  q.shutDown();
  assert.equal(clock.pending(), 0, 'shutdown cancels delayed adds');
});

test('rate-limited adds back off exponentially per key until forget', async () => {
  const clock = createManualClock();
  const q = createWorkQueue({ clock });
  const waits: number[] = [];
  for (let i = 0; i < 4; i++) {
    const start = clock.now();
    q.addRateLimited('k');
    let t = 0;
    while (q.len() === 0) {
      clock.advance(1);
      t++;
    }
    waits.push(clock.now() - start);
    assert.equal(await q.get(), 'k');
    q.done('k');
    assert.ok(t > 0);
  }
  assert.deepEqual(waits, [5, 10, 20, 40]);
  assert.equal(q.numRequeues('k'), 4);
  assert.equal(q.numRequeues('other'), 0);
  q.forget('k');
  assert.equal(q.numRequeues('k'), 0);
  q.addRateLimited('k');
  clock.advance(5);
  assert.equal(q.len(), 1, 'back to the base delay after forget');
});

test('exponential limiter caps at 1000 s', () => {
  const l = createExponentialRateLimiter<string>();
  const ds: number[] = [];
  for (let i = 0; i < 30; i++) ds.push(l.when('x'));
  assert.equal(ds[0], 5);
  assert.equal(ds[1], 10);
  assert.equal(ds[17], 655_360);
  assert.equal(ds[18], 1_000_000);
  assert.equal(ds[29], 1_000_000);
  assert.equal(l.when('y'), 5, 'per key');
  for (let i = 0; i < 2000; i++) l.when('z');
  assert.equal(l.when('z'), 1_000_000, 'no overflow after many failures');
});

test('the overall bucket allows a burst, then spaces retries at its rate whatever the key', () => {
  const clock = createManualClock(0);
  const l = createBucketRateLimiter<string>(10, 3, clock);
  assert.deepEqual([l.when('a'), l.when('b'), l.when('c')], [0, 0, 0]);
  assert.equal(l.when('d'), 100, 'the fourth waits one token at 10/s');
  assert.equal(l.when('e'), 200);
  clock.advance(1000);
  assert.equal(l.when('f'), 0, 'tokens come back with time (up to the burst)');
});

test('the default limiter is the larger of per-key backoff and the overall bucket', () => {
  const clock = createManualClock(0);
  const l = createMaxOfRateLimiter(createExponentialRateLimiter<string>(), createBucketRateLimiter<string>(10, 2, clock));
  assert.equal(l.when('a'), 5);
  assert.equal(l.when('a'), 10);
  assert.equal(l.when('b'), 100, 'the bucket is empty: it decides');
  assert.equal(l.numRequeues('a'), 2);
  l.forget('a');
  assert.equal(l.numRequeues('a'), 0);
  const q = createWorkQueue<string>({ clock });
  for (let i = 0; i < 150; i++) q.addRateLimited(`k${i}`);
  clock.advance(50);
  assert.ok(q.len() <= 101, `the default queue retries at most a burst of 100 at once, got ${q.len()}`);
  assert.ok(q.len() >= 100);
});

test('stats: depth, adds, retries, time waiting and working, the longest running item', async () => {
  const clock = createManualClock(1000);
  const q = createWorkQueue<string>({ clock });
  q.add('a');
  q.add('a');
  q.add('b');
  assert.deepEqual([q.stats().depth, q.stats().adds], [2, 2]);
  clock.advance(30);
  const a = await q.get();
  assert.equal(a, 'a');
  clock.advance(20);
  let s = q.stats();
  assert.equal(s.inFlight, 1);
  assert.equal(s.longestRunningMs, 20);
  assert.deepEqual(s.queueLatencyMs, { avg: 30, max: 30 });
  q.done('a');
  await q.get();
  q.done('b');
  q.addRateLimited('c');
  s = q.stats();
  assert.equal(s.retries, 1);
  assert.equal(s.delayed, 1);
  assert.deepEqual(s.queueLatencyMs, { avg: 40, max: 50 });
  assert.deepEqual(s.workDurationMs, { avg: 10, max: 20 });
  assert.equal(s.longestRunningMs, 0);
});
