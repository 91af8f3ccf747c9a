import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from './errors.js';
import { rfc3339, microTime, parseRfc3339, parseMicroTime } from './time.js';

test('rfc3339 has whole seconds in UTC', () => {
  assert.equal(rfc3339(new Date(Date.UTC(2024, 0, 1))), '2024-01-01T00:00:00Z');
  assert.equal(rfc3339(Date.UTC(2024, 1, 29, 13, 5, 9, 999)), '2024-02-29T13:05:09Z');
});

test('microTime has exactly six fractional digits', () => {
  assert.equal(microTime(new Date(Date.UTC(2024, 0, 1))), '2024-01-01T00:00:00.000000Z');
  assert.equal(microTime(Date.UTC(2024, 0, 1, 0, 0, 0, 123)), '2024-01-01T00:00:00.123000Z');
});

test('parsing both forms, offsets and fractions', () => {
  assert.equal(parseRfc3339('2024-01-01T00:00:00Z').getTime(), Date.UTC(2024, 0, 1));
  assert.equal(parseMicroTime('2024-01-01T00:00:00.123456Z').getTime(), Date.UTC(2024, 0, 1, 0, 0, 0, 123));
  assert.equal(parseRfc3339('2024-01-01T02:30:00+02:30').getTime(), Date.UTC(2024, 0, 1));
  assert.equal(parseRfc3339('2023-12-31T19:00:00-05:00').getTime(), Date.UTC(2024, 0, 1));
  assert.equal(parseRfc3339('2024-01-01T00:00:00.5Z').getTime(), Date.UTC(2024, 0, 1, 0, 0, 0, 500));
  assert.equal(parseMicroTime('2024-01-01T00:00:00Z').getTime(), Date.UTC(2024, 0, 1));
  assert.equal(parseRfc3339('0001-01-01T00:00:00Z').getUTCFullYear(), 1);
  const now = Date.UTC(2030, 5, 15, 8, 9, 10, 456);
  assert.equal(parseMicroTime(microTime(now)).getTime(), now);
  assert.equal(parseRfc3339(rfc3339(now)).getTime(), now - 456);
});

test('malformed times are rejected', () => {
  for (const s of [
    '',
    'yesterday',
    '2024-01-01',
    '2024-01-01 00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T00:00:00',
    '2024-01-01T00:00:00+0200',
  ]) {
    assert.throws(
      () => parseRfc3339(s),
      (e: unknown) => isStatusError(e) && e.code === 400,
      s,
    );
  }
  assert.throws(
    () => rfc3339(new Date(NaN)),
    (e: unknown) => isStatusError(e),
  );
});
