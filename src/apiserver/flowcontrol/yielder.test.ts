import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createYielder } from './yielder.js';

test('the yielder gives the event loop back once a slice is used up, so a timer gets to run', async () => {
  const y = createYielder(2);
  let timerRan = false;
  setImmediate(() => (timerRan = true));
  let pauses = 0;
  const end = performance.now() + 30;
  while (performance.now() < end) {
    const p = y.step();
    if (p) {
      pauses++;
      await p;
    }
  }
  assert.ok(pauses >= 3, `paused ${pauses} times in 30 ms of work with 2 ms slices`);
  assert.equal(timerRan, true);
  // short work never pauses
  const quick = createYielder(1000);
  for (let i = 0; i < 1000; i++) assert.equal(quick.step(), undefined);
});
