import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from './parse-duration.js';

test('Go-style durations as upstream flags take them', () => {
  assert.equal(parseDuration('24h', '--ttl'), 86_400_000);
  assert.equal(parseDuration('1h30m', '--ttl'), 5_400_000);
  assert.equal(parseDuration('90s', '--ttl'), 90_000);
  assert.equal(parseDuration('1.5h', '--ttl'), 5_400_000);
  assert.equal(parseDuration('250ms', '--ttl'), 250);
  assert.equal(parseDuration('0', '--ttl'), 0);
  for (const bad of ['', '24', 'h', '1d', '-1h', '1h 30m', '1hx']) {
    assert.throws(() => parseDuration(bad, '--ttl'), /--ttl .*not a duration \(numbers with units h, m, s or ms/, bad);
  }
});
