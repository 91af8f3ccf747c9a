import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCoalescedApply } from './coalesced-apply.js';
import { createManualClock } from './testing/manual-clock.js';

const settle = () => new Promise((r) => setImmediate(r));

test('coalesces changes, waits for enable, retries failures with back-off, stops', async () => {
  const clock = createManualClock(1000);
  let runs = 0;
  let fail = false;
  const events: string[] = [];
  const loop = createCoalescedApply({
    clock,
    minIntervalMs: 250,
    retry: { initial: 1000, max: 4000 },
    async apply() {
      runs++;
      if (fail) throw new Error('boom');
    },
    // the back-off is jittered by up to 10%: 1000–1100 ms for the first retry
    onRetry: (_e, ms) => events.push(ms >= 1000 && ms <= 1100 ? 'retry ~1 s' : `retry ${ms}`),
    onRecovered: () => events.push('recovered'),
    onApplied: () => events.push('applied'),
  });
  loop.changed();
  clock.advance(1000);
  await settle();
  assert.equal(runs, 0, 'nothing before enable');
  loop.enable();
  clock.advance(0);
  await settle();
  assert.equal(runs, 1);
  // a burst within the interval becomes one apply, after the interval
  for (let i = 0; i < 10; i++) loop.changed();
  clock.advance(100);
  await settle();
  assert.equal(runs, 1);
  clock.advance(200);
  await settle();
  assert.equal(runs, 2);
  // a failure is retried after the back-off, without any further change
  fail = true;
  loop.changed();
  clock.advance(300);
  await settle();
  assert.equal(runs, 3);
  fail = false;
  clock.advance(1200);
  await settle();
  assert.equal(runs, 4);
  assert.deepEqual(events, ['applied', 'applied', 'retry ~1 s', 'recovered', 'applied']);
  await loop.stop();
  loop.changed();
  clock.advance(5000);
  await settle();
  assert.equal(runs, 4, 'nothing after stop');
});
