import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dealHand, LevelQueues, QueueRejection, type LevelShape } from './fair-queue.js';

const shape = (o: Partial<LevelShape> = {}): LevelShape => ({
  seats: 1,
  queues: 16,
  handSize: 2,
  queueLengthLimit: 3,
  waitLimitMs: 5_000,
  ...o,
});
const settled = async (p: Promise<void>) => {
  let state = 'pending';
  p.then(
    () => (state = 'ok'),
    (e: unknown) => (state = e instanceof QueueRejection ? e.why : 'error'),
  );
  await new Promise((r) => setImmediate(r));
  return state;
};

test('dealHand: distinct queues, the same hand for the same flow', () => {
  const h = dealHand('global-default/alice', 128, 6);
  assert.equal(h.length, 6);
  assert.equal(new Set(h).size, 6);
  assert.ok(h.every((q) => q >= 0 && q < 128));
  assert.deepEqual(dealHand('global-default/alice', 128, 6), h);
  assert.notDeepEqual(dealHand('global-default/bob', 128, 6), h);
});

test('a request beyond the seats waits, and runs when a seat is given back', async () => {
  const lv = new LevelQueues(shape({ seats: 2 }));
  const a = lv.enter('f/a');
  const b = lv.enter('f/a');
  const c = lv.enter('f/a');
  assert.equal(await settled(a.ready), 'ok');
  assert.equal(await settled(b.ready), 'ok');
  assert.equal(await settled(c.ready), 'pending');
  assert.deepEqual(lv.stats(), { executing: 2, waiting: 1 });
  a.done();
  a.done(); // idempotent: the seat is given back once
  assert.equal(await settled(c.ready), 'ok');
  assert.deepEqual(lv.stats(), { executing: 2, waiting: 0 });
  b.done();
  c.done();
  assert.deepEqual(lv.stats(), { executing: 0, waiting: 0 });
});

test('a full queue rejects; a level without queues rejects beyond its seats', async () => {
  const lv = new LevelQueues(shape({ seats: 1, handSize: 1, queueLengthLimit: 2 }));
  lv.enter('f/x');
  const w1 = lv.enter('f/x');
  const w2 = lv.enter('f/x');
  assert.equal(await settled(lv.enter('f/x').ready), 'queue-full');
  assert.equal(await settled(w1.ready), 'pending');
  assert.equal(await settled(w2.ready), 'pending');
  const reject = new LevelQueues(shape({ seats: 1, queues: 0, handSize: 0 }));
  assert.equal(await settled(reject.enter('c/x').ready), 'ok');
  assert.equal(await settled(reject.enter('c/x').ready), 'queue-full');
});

test('a flow that floods does not keep another flow waiting behind all of its requests', async () => {
  // two flows whose hands share no queue
  let other = 0;
  const heavy = 'f/heavy';
  const hh = dealHand(heavy, 16, 2);
  while (dealHand(`f/light-${other}`, 16, 2).some((q) => hh.includes(q))) other++;
  const lv = new LevelQueues(shape({ seats: 1, queueLengthLimit: 50 }));
  const order: string[] = [];
  const running: Array<() => void> = [];
  const track = (name: string, t: ReturnType<LevelQueues['enter']>) =>
    t.ready.then(
      () => {
        order.push(name);
        running.push(t.done);
      },
      () => undefined,
    );
  void track('first', lv.enter(heavy));
  for (let i = 0; i < 20; i++) void track(`heavy${i}`, lv.enter(heavy));
  void track('light', lv.enter(`f/light-${other}`));
  // one seat: finish whatever runs, one request after the other
  for (let i = 0; i < 22; i++) {
    await new Promise((r) => setImmediate(r));
    running.shift()?.();
  }
  assert.equal(order.length, 22);
  // round-robin over non-empty queues: the light flow is served within the first few turns
  assert.ok(order.indexOf('light') >= 1 && order.indexOf('light') <= 3, order.join(','));
});

test('a queued request times out, and a cancelled one gives its place up', async () => {
  const lv = new LevelQueues(shape({ seats: 1, waitLimitMs: 30, queueLengthLimit: 1, handSize: 1 }));
  const run = lv.enter('f/a');
  const late = lv.enter('f/a');
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(await settled(late.ready), 'timeout');
  const cancelled = lv.enter('f/a');
  cancelled.done();
  assert.equal(await settled(cancelled.ready), 'cancelled');
  assert.deepEqual(lv.stats(), { executing: 1, waiting: 0 });
  const next = lv.enter('f/a');
  run.done();
  assert.equal(await settled(next.ready), 'ok');
});
