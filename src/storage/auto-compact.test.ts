import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compactionTarget, startAutoCompaction } from './auto-compact.js';

test('compactionTarget: by count alone without a time window', () => {
  assert.equal(compactionTarget(50_000, 10_000, 0, 1_000_000, []), 40_000);
});

test('compactionTarget: never past the revision seen retainMs ago; nothing before a run is that old', () => {
  const seen = [
    { at: 0, rev: 1_000 },
    { at: 60_000, rev: 31_000 },
    { at: 120_000, rev: 61_000 },
  ];
  // at 2 min with a 5 min window: no run is old enough
  assert.equal(compactionTarget(61_000, 10_000, 300_000, 120_000, seen), 0);
  // at 5 min 50 s: the run at 0 is older than 5 min, the one at 1 min is not
  assert.equal(compactionTarget(181_000, 10_000, 300_000, 350_000, seen), 1_000);
  // at 6 min the run at 1 min is 5 min old
  assert.equal(compactionTarget(181_000, 10_000, 300_000, 360_000, seen), 31_000);
  // a quiet cluster: the count bound is the tighter one
  assert.equal(compactionTarget(1_500, 10_000, 300_000, 360_000, seen), -8_500);
});

test('startAutoCompaction keeps the minutes of a busy store, compacting only what is older', async () => {
  let current = 0;
  let compacted = 0;
  let t = 0;
  const calls: number[] = [];
  const stop = startAutoCompaction(
    {
      currentRevision: async () => current,
      compactedRevision: async () => compacted,
      compact: async (rev: number) => {
        calls.push(rev);
        compacted = rev;
      },
    },
    { compactInterval: 5, retainRevisions: 100, retainMs: 300_000, now: () => t },
  );
  const step = async (advanceMs: number, writes: number) => {
    t += advanceMs;
    current += writes;
    const n = calls.length;
    const end = Date.now() + 2000;
    // wait for at least one run at this time
    await new Promise((r) => setTimeout(r, 30));
    while (Date.now() < end && calls.length < n) await new Promise((r) => setTimeout(r, 5));
  };
  try {
    await step(0, 30_000); // a minute of 500 writes/s
    for (let m = 1; m <= 4; m++) await step(60_000, 30_000);
    assert.deepEqual(calls, [], 'nothing compacted within the first 5 minutes, though far more than 100 revisions were written');
    await step(61_000, 30_000);
    assert.equal(compacted, 30_000, 'compacted to the revision current 5 minutes ago, not to current - 100');
  } finally {
    stop();
  }
});
