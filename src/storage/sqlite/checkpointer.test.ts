// The checkpointer's pace: a trickle of small commits (an idle cluster's Lease renewals) gets one
// worker checkpoint per second, not one every 50 ms; a burst still gets one soon after it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCheckpointer } from './checkpointer.js';
import { openDatabase } from './sqlite-schema.js';
import { makeTempDir } from './testing/sqlite-util.js';

const tmp = makeTempDir('tandem-checkpointer-');
after(() => tmp.remove());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('checkpointer: small writes every 25 ms for 1.5 s ask the worker at most twice', async () => {
  const file = tmp.file('trickle.db');
  const db = openDatabase(file);
  const c = startCheckpointer(file, db);
  try {
    // 60 renewals of ~700 bytes: 42 KB, far below a burst
    for (let i = 0; i < 60; i++) {
      c.wrote(700);
      await sleep(25);
    }
    const asked = c.requested();
    assert.ok(asked >= 1, 'a trickle of writes is still checkpointed');
    assert.ok(asked <= 2, `the worker was asked ${asked} times in ~1.5 s of small writes`);
  } finally {
    await c.close();
    db.close();
  }
});

test('checkpointer: a burst is checkpointed within about 50 ms', async () => {
  const file = tmp.file('burst.db');
  const db = openDatabase(file);
  const c = startCheckpointer(file, db);
  try {
    c.wrote(700); // a small write first: its slow timer must give way to the burst's
    c.wrote(2 * 1024 * 1024);
    const deadline = Date.now() + 500;
    while (c.requested() === 0 && Date.now() < deadline) await sleep(10);
    assert.equal(c.requested(), 1, 'the worker was asked once, well before the idle delay of 1 s');
  } finally {
    await c.close();
    db.close();
  }
});
