import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration } from './duration.js';

const s = 1000,
  m = 60 * s,
  h = 60 * m,
  d = 24 * h;

test('humanDuration follows the kubectl age format', () => {
  const cases: Array<[number, string]> = [
    [-5 * s, '<invalid>'],
    [-1500, '0s'],
    [0, '0s'],
    [5 * s, '5s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [2 * m + 30 * s, '2m30s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [3 * h + 20 * m, '3h20m'],
    [8 * h + 5 * m, '8h'],
    [47 * h, '47h'],
    [2 * d, '2d'],
    [2 * d + 5 * h, '2d5h'],
    [8 * d + 5 * h, '8d'],
    [729 * d, '729d'],
    [730 * d, '2y'],
    [4 * 365 * d + 3 * d, '4y3d'],
    [9 * 365 * d + 40 * d, '9y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `for ${ms}ms`);
});
