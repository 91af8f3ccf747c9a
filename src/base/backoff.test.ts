import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackoff, retryWithBackoff } from './backoff.js';

test('delays grow by the factor and stop at the cap', () => {
  const b = createBackoff({ initialMs: 10, factor: 2, maxMs: 50 });
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next()], [10, 20, 40, 50, 50]);
  assert.equal(b.attempts, 5);
  b.reset();
  assert.equal(b.next(), 10);
});

test('jitter adds up to jitter x delay, from the injected random', () => {
  const b = createBackoff({ initialMs: 100, jitter: 0.5, random: () => 0.5 });
  assert.equal(b.next(), 125);
  assert.equal(b.next(), 250);
  const hi = createBackoff({ initialMs: 100, jitter: 1, random: () => 0.999 });
  const d = hi.next();
  assert.ok(d >= 100 && d < 200);
});

test('steps: exhausted, and the delay stops growing', () => {
  const b = createBackoff({ initialMs: 1, factor: 3, steps: 2 });
  assert.equal(b.exhausted(), false);
  assert.deepEqual([b.next(), b.next()], [1, 3]);
  assert.equal(b.exhausted(), true);
  assert.equal(b.next(), 9);
  assert.equal(b.next(), 9);
});

test('retryWithBackoff retries then succeeds, sleeping the backoff', async () => {
  const slept: number[] = [];
  let calls = 0;
  const r = await retryWithBackoff(
    async (n) => {
      calls++;
      if (n < 3) throw new Error('no');
      return n;
    },
    {
      initialMs: 5,
      sleep: async (ms) => {
        slept.push(ms);
      },
    },
  );
  assert.equal(r, 3);
  assert.equal(calls, 3);
  assert.deepEqual(slept, [5, 10]);
});

test('retryWithBackoff gives up after steps or on a non-retryable error', async () => {
  let calls = 0;
  await assert.rejects(
    retryWithBackoff(
      async () => {
        calls++;
        throw new Error('x');
      },
      { initialMs: 1, steps: 3, sleep: async () => {} },
    ),
    /x/,
  );
  assert.equal(calls, 3);
  calls = 0;
  await assert.rejects(
    retryWithBackoff(
      async () => {
        calls++;
        throw new Error('fatal');
      },
      { initialMs: 1, retryable: (e) => !(e instanceof Error && e.message === 'fatal'), sleep: async () => {} },
    ),
    /fatal/,
  );
  assert.equal(calls, 1);
});
