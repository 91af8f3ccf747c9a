// Tests of the cron parser and next-activation walk: a table of expressions, time zones, DST.

import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CronSyntaxError, parseCron } from './cron-parse.js';
import { nextActivation } from './cron-next.js';
import { isKnownTimeZone, zonedDate } from './zoned-time.js';

const next = (expr: string, from: string, zone = 'UTC') => {
  const t = nextActivation(parseCron(expr), Date.parse(from), zone);
  return t === undefined ? undefined : new Date(t).toISOString();
};

test('next activations in UTC', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['*/1 * * * *', '2024-01-01T10:00:00Z', '2024-01-01T10:01:00.000Z'],
    ['*/1 * * * *', '2024-01-01T10:00:30.500Z', '2024-01-01T10:01:00.000Z'],
    ['*/15 * * * *', '2024-01-01T10:07:00Z', '2024-01-01T10:15:00.000Z'],
    ['5 4 * * *', '2024-01-01T10:00:00Z', '2024-01-02T04:05:00.000Z'],
    ['0 0 29 2 *', '2023-03-01T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['0 0 31 2 *', '2023-03-01T00:00:00Z', undefined],
    ['0 9 * * MON-fri', '2024-01-06T10:00:00Z', '2024-01-08T09:00:00.000Z'], // Saturday → Monday
    ['0 0 1 JAN,jul *', '2024-02-01T00:00:00Z', '2024-07-01T00:00:00.000Z'],
    ['30 6-16/4 * * 1-5', '2024-01-01T10:31:00Z', '2024-01-01T14:30:00.000Z'],
    ['0 0 13 * 5', '2024-01-01T00:00:00Z', '2024-01-05T00:00:00.000Z'], // day 13 OR Friday
    ['0 0 13 * *', '2024-01-01T00:00:00Z', '2024-01-13T00:00:00.000Z'],
    ['0 0 ? * 0', '2024-01-01T00:00:00Z', '2024-01-07T00:00:00.000Z'],
    ['@hourly', '2024-01-01T10:00:00Z', '2024-01-01T11:00:00.000Z'],
    ['@daily', '2024-01-01T10:00:00Z', '2024-01-02T00:00:00.000Z'],
    ['@midnight', '2024-01-01T10:00:00Z', '2024-01-02T00:00:00.000Z'],
    ['@weekly', '2024-01-01T10:00:00Z', '2024-01-07T00:00:00.000Z'],
    ['@monthly', '2024-01-01T10:00:00Z', '2024-02-01T00:00:00.000Z'],
    ['@yearly', '2024-01-01T10:00:00Z', '2025-01-01T00:00:00.000Z'],
    ['@annually', '2024-12-31T23:59:59Z', '2025-01-01T00:00:00.000Z'],
    ['@every 90s', '2024-01-01T10:00:00.700Z', '2024-01-01T10:01:30.000Z'],
    ['@every 1h30m', '2024-01-01T10:00:00Z', '2024-01-01T11:30:00.000Z'],
    ['@every 1.9s', '2024-01-01T10:00:00Z', '2024-01-01T10:00:01.000Z'],
    ['@every 10ms', '2024-01-01T10:00:00Z', '2024-01-01T10:00:01.000Z'],
    ['59 23 31 12 *', '2024-12-31T23:59:00Z', '2025-12-31T23:59:00.000Z'],
  ];
  for (const [expr, from, want] of cases) assert.equal(next(expr, from), want, `${expr} after ${from}`);
});

test('next activations in a time zone', () => {
  assert.equal(next('0 9 * * *', '2024-01-01T00:00:00Z', 'Europe/Berlin'), '2024-01-01T08:00:00.000Z');
  assert.equal(next('0 9 * * *', '2024-07-01T00:00:00Z', 'Europe/Berlin'), '2024-07-01T07:00:00.000Z');
  assert.equal(next('0 0 * * *', '2024-01-01T12:00:00Z', 'Asia/Kolkata'), '2024-01-01T18:30:00.000Z');
  assert.equal(next('TZ=America/New_York 0 12 * * *', '2024-01-01T00:00:00Z', 'UTC'), '2024-01-01T17:00:00.000Z');
  assert.equal(next('CRON_TZ=Asia/Tokyo 0 0 * * *', '2024-01-01T00:00:00Z', 'UTC'), '2024-01-01T15:00:00.000Z');
});

test('DST: a skipped wall time does not run that day; a repeated one runs twice', () => {
  // America/New_York springs forward at 2024-03-10 02:00 EST → 03:00 EDT
  assert.equal(next('30 2 * * *', '2024-03-09T12:00:00Z', 'America/New_York'), '2024-03-11T06:30:00.000Z');
  // ... and falls back at 2024-11-03 02:00 EDT → 01:00 EST: 01:30 happens at 05:30Z and 06:30Z
  const first = next('30 1 * * *', '2024-11-02T12:00:00Z', 'America/New_York');
  assert.equal(first, '2024-11-03T05:30:00.000Z');
  assert.equal(next('30 1 * * *', first!, 'America/New_York'), '2024-11-03T06:30:00.000Z');
  // hourly keeps its absolute spacing across the change
  assert.equal(next('0 * * * *', '2024-03-10T06:30:00Z', 'America/New_York'), '2024-03-10T07:00:00.000Z');
  assert.equal(next('0 * * * *', '2024-03-10T07:00:00Z', 'America/New_York'), '2024-03-10T08:00:00.000Z');
  // America/Santiago skips midnight itself on 2024-09-08 (00:00 -04 → 01:00 -03): that day has no run
  assert.equal(next('0 0 * * *', '2024-09-07T12:00:00Z', 'America/Santiago'), '2024-09-09T03:00:00.000Z');
});

test('zonedDate follows Go time.Date on gaps and overlaps', () => {
  // 02:30 does not exist on 2024-03-10 in New York: Go answers 01:30 EST
  assert.equal(new Date(zonedDate(2024, 3, 10, 2, 30, 0, 'America/New_York')).toISOString(), '2024-03-10T06:30:00.000Z');
  // 01:30 exists twice on 2024-11-03: Go takes the EDT one
  assert.equal(new Date(zonedDate(2024, 11, 3, 1, 30, 0, 'America/New_York')).toISOString(), '2024-11-03T05:30:00.000Z');
  assert.equal(new Date(zonedDate(2024, 13, 1, 0, 0, 0, 'UTC')).toISOString(), '2025-01-01T00:00:00.000Z');
  assert.ok(isKnownTimeZone('Europe/Berlin'));
  assert.ok(!isKnownTimeZone('Mars/Olympus'));
});

test('bad schedules are refused with the library messages', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /^empty spec string$/],
    ['   ', /^expected exactly 5 fields, found 0: \[\]$/],
    [' @daily', /^expected exactly 5 fields, found 1: \[@daily\]$/],
    ['* * * *', /^expected exactly 5 fields, found 4: \[\* \* \* \*\]$/],
    ['* * * * * *', /expected exactly 5 fields, found 6/],
    ['60 * * * *', /^end of range \(60\) above maximum \(59\): 60$/],
    ['* 24 * * *', /end of range \(24\) above maximum \(23\): 24/],
    ['* * 0 * *', /^beginning of range \(0\) below minimum \(1\): 0$/],
    ['* * * 13 *', /above maximum \(12\)/],
    ['* * * * 7', /end of range \(7\) above maximum \(6\): 7/],
    ['5-1 * * * *', /beginning of range \(5\) beyond end of range \(1\): 5-1/],
    ['*/0 * * * *', /step of range should be a positive number: \*\/0/],
    ['1-2-3 * * * *', /too many hyphens: 1-2-3/],
    ['*/2/3 * * * *', /too many slashes/],
    ['x * * * *', /failed to parse int from x/],
    ['* * * FOO *', /failed to parse int from FOO/],
    ['@fortnightly', /^unrecognized descriptor: @fortnightly$/],
    ['@every soon', /^failed to parse duration @every soon: time: invalid duration "soon"$/],
    ['@every 5', /^failed to parse duration @every 5: time: missing unit in duration "5"$/],
    ['TZ=Mars/Olympus * * * * *', /provided bad location Mars\/Olympus/],
  ];
  for (const [expr, re] of cases) {
    assert.throws(
      () => parseCron(expr),
      (e: unknown) => e instanceof CronSyntaxError && re.test(e.message),
      expr,
    );
  }
});
