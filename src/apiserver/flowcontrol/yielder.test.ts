import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createYielder } from './yielder.js';

test('the yielder gives the event loop back once a slice is used up, so a timer gets to run', async () => {
  const y = createYielder(2);
  let timerRan = false;
  setImmediate(() => (timerRan = true));
  let pauses = 0;
  // busy work until three slices were used up (bounded, for a very slow machine)
  const end = performance.now() + 5_000;
  while (pauses < 3 && performance.now() < end) {
    const p = y.step();
    if (p) {
      pauses++;
      await p;
    }
  }
  assert.equal(pauses, 3);
  assert.equal(timerRan, true);
  // short work never pauses
  const quick = createYielder(1000);
  for (let i = 0; i < 1000; i++) assert.equal(quick.step(), undefined);
});
