import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from './errors.js';
import {
  parseQuantity,
  formatQuantity,
  toMilli,
  toInteger,
  quantityToNumber,
  compareQuantities,
  addQuantities,
  isQuantity,
  quantityValue,
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
} from './quantity.js';

const badWith = (s: string, msg: string) =>
  assert.throws(
    () => parseQuantity(s),
    (e: unknown) => isStatusError(e) && e.code === 400 && e.message === msg,
    s,
  );

test('values of common quantities', () => {
  const cases: [string, number][] = [
    ['100m', 0.1],
    ['1', 1],
    ['1.5', 1.5],
    ['2Gi', 2 * 2 ** 30],
    ['500Mi', 500 * 2 ** 20],
    ['1e3', 1000],
    ['1k', 1000],
    ['1Ki', 1024],
    ['1M', 1e6],
    ['1Ei', 2 ** 60],
    ['0.1', 0.1],
    ['1e-3', 0.001],
    ['-1', -1],
    ['5n', 5e-9],
    ['4u', 4e-6],
    ['1.2e3', 1200],
    ['1.3E+6', 1.3e6],
    ['100.035k', 100035],
    ['10.035M', 10035000],
    ['.001', 0.001],
    ['1.', 1],
    ['1.G', 1e9],
    ['0.0005k', 0.5],
    ['12E', 12e18],
  ];
  for (const [s, v] of cases) assert.equal(quantityToNumber(s), v, s);
});

test('milli values, rounded away from zero', () => {
  assert.equal(toMilli('100m'), 100);
  assert.equal(toMilli('1'), 1000);
  assert.equal(toMilli('0.1'), 100);
  assert.equal(toMilli('1.5'), 1500);
  assert.equal(toMilli('1e-3'), 1);
  assert.equal(toMilli('1n'), 1);
  assert.equal(toMilli('-1n'), -1);
  assert.equal(toMilli('2'), 2000);
  assert.equal(toMilli('1k'), 1_000_000);
  assert.equal(toInteger('1500m'), 2);
  assert.equal(toInteger('1Ki'), 1024);
  assert.equal(toInteger('-9.01'), -10);
});

test('rounding below nano and the BinarySI cap', () => {
  const eq = (s: string, u: bigint, scale: number, format: string) => {
    const q = parseQuantity(s);
    assert.equal(compareQuantities(q, { unscaled: u, scale, format: 'DecimalSI' }), 0, s);
    assert.equal(q.format, format, s);
  };
  eq('3.001n', 4n, -9, 'DecimalSI');
  eq('1.1E-9', 2n, -9, 'DecimalExponent');
  eq('0.0000000001', 1n, -9, 'DecimalSI');
  eq('0.00000012345', 124n, -9, 'DecimalSI');
  eq('0.000000000001Ki', 2n, -9, 'DecimalSI');
  eq('9Ei', 2n ** 63n - 1n, 0, 'BinarySI');
  eq('9223372036854775807Ki', 2n ** 63n - 1n, 0, 'BinarySI');
  eq('-9Ei', -(2n ** 63n - 1n), 0, 'BinarySI');
  eq('100.035Ki', 10243584n, -2, 'BinarySI');
  eq('0.5Mi', 524288n, 0, 'BinarySI');
  eq('18446744073709551616', 18446744073709551616n, 0, 'DecimalSI');
});

test('canonical formatting', () => {
  const cases: [string, string][] = [
    ['1.5', '1500m'],
    ['1.5Gi', '1536Mi'],
    ['1024Mi', '1Gi'],
    ['1000M', '1G'],
    ['2000', '2k'],
    ['1500', '1500'],
    ['.001Ki', '1024m'],
    ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'],
    ['.000000000001Ki', '2n'],
    ['0.001T', '1G'],
    ['1.08', '1080m'],
    ['.001e12', '1e9'],
    ['0.001e0', '1e-3'],
    ['1000e-12', '1e-9'],
    ['00', '0'],
    ['5000m', '5'],
    ['307200Ki', '300Mi'],
    ['1025024Mi', '1001Gi'],
    ['1080000000n', '1080m'],
    ['1000E', '1e21'],
    ['5000E', '5e21'],
    ['1000000E', '1e24'],
    ['0.5Ki', '512'],
    ['1.1Ki', '1126400m'],
    ['0.1', '100m'],
    ['1.0', '1'],
    ['1.2345', '1234500u'],
    ['8Ei', '9223372036854775807'],
    ['0.9n', '1n'],
    ['-1.5', '-1500m'],
    ['-1024Mi', '-1Gi'],
    ['0Ki', '0'],
    ['0m', '0'],
    ['-0', '0'],
    ['8Ki', '8Ki'],
    ['2048Ki', '2Mi'],
    ['1.5k', '1500'],
  ];
  for (const [s, want] of cases) assert.equal(formatQuantity(s), want, s);
});

test('already canonical text is kept verbatim, as upstream does', () => {
  for (const s of [
    '1Gi',
    '300Mi',
    '6Ki',
    '1001Gi',
    '1Ti',
    '5',
    '500m',
    '1G',
    '1m',
    '80m',
    '1080m',
    '300M',
    '1T',
    '1E',
    '1e21',
    '1234567M',
    '3k',
    '1025',
    '0',
    '1e9',
    '1e-3',
    '1e-9',
    '80e-3',
    '300e6',
    '1n',
    '1080n',
    '1u',
    '100m',
    '2Gi',
    '1k',
  ]) {
    assert.equal(formatQuantity(s), s);
  }
  // upstream quirks of the same rule
  assert.equal(formatQuantity('1E3'), '1E3');
  assert.equal(formatQuantity('+5'), '+5');
});

test('numbers are read as their text', () => {
  assert.equal(formatQuantity(0.5), '500m');
  assert.equal(formatQuantity(2), '2');
  assert.equal(toMilli(0.25), 250);
});

test('malformed quantities get upstream messages', () => {
  for (const s of ['', '1.2.3', '1.1.M', '1+1.0M', 'abc', 'aoeu', ' 1', '1 ', '0.1am', '1KiB']) badWith(s, QUANTITY_FORMAT_ERROR);
  for (const s of ['0.1mi', '.5i', '1i', '-3.01i', '-3.01e-', '1Ki2', '1e']) badWith(s, QUANTITY_SUFFIX_ERROR);
  assert.equal(QUANTITY_FORMAT_ERROR, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  assert.equal(isQuantity('1Gi'), true);
  assert.equal(isQuantity('1GB'), false);
});

test('compare and add are exact', () => {
  assert.equal(compareQuantities('100m', '50m'), 1);
  assert.equal(compareQuantities('50m', '100m'), -1);
  assert.equal(compareQuantities('10000T', '100Gi'), 1);
  assert.equal(compareQuantities('1Ki', '1024'), 0);
  assert.equal(compareQuantities('0.1', '100m'), 0);
  assert.equal(formatQuantity(addQuantities('100m', '0.2')), '300m');
  assert.equal(formatQuantity(addQuantities('1Gi', '1Gi')), '2Gi');
  assert.equal(formatQuantity(addQuantities('1Gi', '0')), '1Gi');
  assert.equal(formatQuantity(addQuantities('100m', '-100m')), '0');
});

test('quantityValue equals quantityToNumber(parseQuantity(...)) on the fast forms and beyond', () => {
  const forms = [
    '0',
    '7',
    '250m',
    '100m',
    '1',
    '3m',
    '999999999999999',
    '512Mi',
    '1Gi',
    '3Ki',
    '2Ti',
    '1Pi',
    '5k',
    '12M',
    '7G',
    '3T',
    '2P',
    '0100m',
    '1.5',
    '0.1',
    '-1',
    '1e3',
    '1E-2',
    '.5',
    '+3',
    '1.5Gi',
    'm',
  ];
  for (const f of forms) assert.equal(quantityValue(f), quantityToNumber(parseQuantity(f)), f);
  for (let i = 0; i < 2000; i++) {
    const f = `${i * 37}${['', 'm', 'k', 'M', 'Mi', 'Gi', 'Ki'][i % 7]}`;
    assert.equal(quantityValue(f), quantityToNumber(parseQuantity(f)), f);
  }
  assert.throws(() => quantityValue('1Gb'));
});
