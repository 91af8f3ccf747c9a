import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePodLogOptions } from './log-options.js';

test('kubectl query parameters', () => {
  const o = parsePodLogOptions(new URLSearchParams('follow=true&tailLines=10&timestamps=true&sinceSeconds=3600'), 10_000_000);
  assert.equal(o.follow, true);
  assert.equal(o.tailLines, 10);
  assert.equal(o.timestamps, true);
  assert.equal(o.sinceMs, 10_000_000 - 3_600_000);
  assert.equal(parsePodLogOptions(new URLSearchParams('previous=true&follow=true'), 0).follow, false);
  assert.throws(() => parsePodLogOptions(new URLSearchParams('tailLines=abc'), 0), /tailLines/);
  assert.throws(() => parsePodLogOptions(new URLSearchParams('sinceSeconds=1&sinceTime=2026-01-01T00:00:00Z'), 0), /at most one/);
  assert.equal(parsePodLogOptions(new URLSearchParams('sinceTime=2026-01-01T00:00:00Z'), 0).sinceMs, Date.parse('2026-01-01T00:00:00Z'));
});

test('booleans as the API server reads them: absent, 0 and false (any case) are false, anything else true', () => {
  const follow = (q: string) => parsePodLogOptions(new URLSearchParams(q), 0).follow;
  for (const q of ['', 'follow=false', 'follow=False', 'follow=FALSE', 'follow=0']) assert.equal(follow(q), false, q);
  for (const q of ['follow=true', 'follow=True', 'follow=1', 'follow=', 'follow', 'follow=yes']) assert.equal(follow(q), true, q);
});
