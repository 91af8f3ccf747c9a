import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../base/errors.js';
import { quantityOrNaN, validateQuantity } from './quantity.js';

test('quantityOrNaN reads decimal SI, binary SI and exponents', () => {
  const cases: Array<[string | number, number]> = [
    ['100m', 0.1],
    ['1', 1],
    ['2.5', 2.5],
    ['1Gi', 2 ** 30],
    ['512Mi', 512 * 2 ** 20],
    ['1Ki', 1024],
    ['1k', 1000],
    ['1M', 1e6],
    ['250u', 250e-6],
    ['1e3', 1000],
    ['1E-2', 0.01],
    ['.5', 0.5],
    ['-1', -1],
    [3, 3],
    ['1Ei', 2 ** 60],
  ];
  for (const [s, want] of cases) assert.ok(Math.abs(quantityOrNaN(s) - want) < 1e-12 * Math.max(1, want), `${s}`);
  for (const bad of ['', 'abc', '1Gb', '1.2.3', '1 Gi', '1KiB', '1e']) assert.ok(Number.isNaN(quantityOrNaN(bad)), bad);
  // upstream reads an absent number as 0 (its parser, not the regex in its message, decides)
  assert.equal(quantityOrNaN('m'), 0);
  assert.equal(Number.isNaN(quantityOrNaN('200Mi')), false);
  assert.equal(Number.isNaN(quantityOrNaN('200MB')), true);
});

test('validateQuantity reports syntax and sign', () => {
  const [e] = validateQuantity('lots', 'spec.containers[0].resources.limits[cpu]');
  assert.ok(e);
  assert.equal(
    fieldErrorText(e),
    `spec.containers[0].resources.limits[cpu]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
  );
  const [n] = validateQuantity('-1', 'x');
  assert.equal(n?.detail, 'must be greater than or equal to 0');
  assert.deepEqual(validateQuantity('1Gi', 'x'), []);
  // upstream's parse messages, not only the regex one
  assert.equal(validateQuantity('1Ki2', 'x')[0]?.detail, "unable to parse quantity's suffix");
});
