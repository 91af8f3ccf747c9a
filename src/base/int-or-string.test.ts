import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from './errors.js';
import { getScaledValueFromIntOrPercent as scaled, parseIntOrPercent, intValue, isPercent } from './int-or-string.js';

test('integers pass through unscaled', () => {
  assert.equal(scaled(5, 100, true), 5);
  assert.equal(scaled(0, 10, false), 0);
  assert.equal(scaled(-3, 10, false), -3);
});

test('percentages round up or down against the total', () => {
  assert.equal(scaled('25%', 10, true), 3);
  assert.equal(scaled('25%', 10, false), 2);
  assert.equal(scaled('25%', 4, true), 1);
  assert.equal(scaled('25%', 4, false), 1);
  assert.equal(scaled('33%', 3, true), 1);
  assert.equal(scaled('33%', 3, false), 0);
  assert.equal(scaled('100%', 7, false), 7);
  assert.equal(scaled('0%', 7, true), 0);
  assert.equal(scaled('1%', 1, true), 1);
  assert.equal(scaled('1%', 1, false), 0);
  assert.equal(scaled('50%', 0, true), 0);
  assert.equal(scaled('150%', 10, true), 15);
  assert.equal(scaled('10%', 25, true), 3);
  assert.equal(scaled('10%', 25, false), 2);
  assert.equal(scaled('-10%', 25, false), -3);
});

test('bad values are rejected with upstream words', () => {
  const bad = (v: unknown, msg: string) =>
    assert.throws(
      () => scaled(v as string, 10, true),
      (e: unknown) => isStatusError(e) && e.code === 400 && e.message === msg,
    );
  bad('5', 'invalid value for IntOrString: invalid type: string is not a percentage');
  bad('abc%', 'invalid value for IntOrString: invalid value "abc%": strconv.Atoi: parsing "abc": invalid syntax');
  bad('1.5%', 'invalid value for IntOrString: invalid value "1.5%": strconv.Atoi: parsing "1.5": invalid syntax');
  bad('%', 'invalid value for IntOrString: invalid value "%": strconv.Atoi: parsing "": invalid syntax');
  bad(undefined, 'nil value for IntOrString');
  bad(1.5, 'invalid value for IntOrString: invalid type: neither int nor percentage');
});

test('helpers', () => {
  assert.deepEqual(parseIntOrPercent('+20%'), { value: 20, percent: true });
  assert.deepEqual(parseIntOrPercent(3), { value: 3, percent: false });
  assert.equal(intValue('42'), 42);
  assert.equal(intValue('x'), 0);
  assert.equal(intValue(7), 7);
  assert.equal(isPercent('5%'), true);
  assert.equal(isPercent(5), false);
});
