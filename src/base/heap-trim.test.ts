import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from './log.js';
import { startHeapTrim, trimHeapNow, type TrimResult } from './heap-trim.js';

const lines: string[] = [];
const log: Logger = {
  debug: () => undefined,
  info: (msg) => void lines.push(msg),
  warn: (msg) => void lines.push(msg),
  error: (msg) => void lines.push(msg),
  child: () => log,
};

/** Old-generation pages that each keep one live string in five, as a burst of writes leaves them. */
function fragment(): string[] {
  const keep: string[] = [];
  let junk: string[] = [];
  for (let i = 0; i < 1_000_000; i++) {
    const s = JSON.stringify({ i, pad: 'x'.repeat(100 + (i % 50)) });
    if (i % 5 === 0) keep.push(s);
    else junk.push(s);
    if (junk.length > 50_000) junk = [];
  }
  return keep;
}

test('a compacting GC gives back the pages a plain full GC keeps, the first time and with the way it found', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // the first trim finds which way compacts on this Node; the second uses only that way
  for (const round of [1, 2]) {
    const keep = fragment();
    gc();
    const plain = getHeapStatistics();
    const slackPlain = (plain.total_heap_size - plain.used_heap_size) / 1048576;
    const r = trimHeapNow();
    const gain = plain.total_heap_size / 1048576 - r.totalAfterMb;
    assert.equal(keep.length, 200_000);
    // the live strings stay; a good part of what the plain GC left around them goes (where it is differs:
    // Node 20 keeps sparse old-generation pages, Node 24 a grown young generation)
    assert.ok(r.usedAfterMb > 20, `round ${round}: used ${r.usedAfterMb} MB`);
    assert.ok(slackPlain > 20, `round ${round}: a plain GC leaves ${slackPlain} MB of the heap free (the test needs that)`);
    assert.ok(gain > slackPlain / 3, `round ${round}: a plain GC left ${slackPlain} MB free; the trim gave back ${gain} MB`);
    assert.ok(r.pauseMs > 0);
  }
});

test('the timer trims only a quiet heap that grew, and not twice in a row', async () => {
  const strict = startHeapTrim({ log, everyMs: 3_600_000, minGrowthMb: 1_000_000 });
  try {
    assert.match(String(strict.check()), /^little growth \(\d+ → \d+ MB\)$/);
  } finally {
    strict.stop();
  }

  const busy = startHeapTrim({ log, everyMs: 3_600_000, busyBelow: 0.5, minGrowthMb: 0, minGrowthShare: 0 });
  try {
    // the event loop busy since the last look: 10 turns of 30 ms each
    for (let i = 0; i < 10; i++) {
      const end = Date.now() + 30;
      while (Date.now() < end);
      await new Promise((r) => setImmediate(r));
    }
    assert.match(String(busy.check()), /^event loop busy \(\d\.\d\d\)$/);
  } finally {
    busy.stop();
  }

  lines.length = 0;
  const grows = startHeapTrim({ log, everyMs: 3_600_000, busyBelow: 1.01, minGapMs: 0, minGrowthMb: 16, minGrowthShare: 0 });
  try {
    const held = fragment(); // the heap grows by far more than 16 MB
    const r = grows.check() as TrimResult;
    assert.equal(typeof r, 'object', String(r));
    assert.ok(r.totalAfterMb > 0 && r.usedAfterMb <= r.totalAfterMb);
    assert.deepEqual(lines, ['heap trimmed after a burst']);
    // growth is measured from the trimmed size: nothing grew since
    assert.match(String(grows.check()), /^little growth/);
    assert.equal(held.length, 200_000);
  } finally {
    grows.stop();
  }
  const tight = startHeapTrim({
    log,
    everyMs: 3_600_000,
    busyBelow: 1.01,
    minGrowthMb: 0,
    minGrowthShare: 0,
    memoryLimitBytes: 64 * 1048576,
  });
  try {
    assert.match(String(tight.check()), /^no room for the compaction's copy \(\d+ of 64 MB\)$/);
  } finally {
    tight.stop();
  }
  const gap = startHeapTrim({ log, everyMs: 3_600_000, busyBelow: 1.01, minGrowthMb: 0, minGrowthShare: 0 });
  try {
    assert.equal(typeof gap.check(), 'object');
    assert.equal(gap.check(), 'trimmed recently');
  } finally {
    gap.stop();
  }
});
