import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeSelectorRequirement } from '../gen/types.js';
import { compileTerm, matchesRequired, requiredNodeAffinity, termMatches } from './node-affinity.js';

const matches = (r: NodeSelectorRequirement, labels: Record<string, string>, name = 'n1') =>
  termMatches(compileTerm({ matchExpressions: [r] }), labels, name);

test('Gt and Lt compare base-10 int64 values as Go strconv.ParseInt reads them', () => {
  const gt10 = { key: 'n', operator: 'Gt', values: ['10'] };
  const lt10 = { key: 'n', operator: 'Lt', values: ['10'] };
  const table: Array<[string | undefined, boolean, boolean]> = [
    // label value, Gt 10, Lt 10
    ['12', true, false],
    ['9', false, true],
    ['10', false, false],
    ['+12', true, false],
    ['-3', false, true],
    ['007', false, true],
    ['12abc', false, false],
    [' 12', false, false],
    ['12 ', false, false],
    ['0x10', false, false],
    ['1e3', false, false],
    ['12.0', false, false],
    ['', false, false],
    ['9223372036854775807', true, false],
    ['9223372036854775808', false, false], // beyond int64
    [undefined, false, false],
  ];
  for (const [value, gt, lt] of table) {
    const labels: Record<string, string> = value === undefined ? {} : { n: value };
    assert.equal(matches(gt10, labels), gt, `Gt 10 on ${JSON.stringify(value)}`);
    assert.equal(matches(lt10, labels), lt, `Lt 10 on ${JSON.stringify(value)}`);
  }
});

test('a requirement that is not valid makes its term match nothing', () => {
  const labels = { n: '12', zone: 'a' };
  assert.equal(matches({ key: 'n', operator: 'Gt', values: ['10abc'] }, labels), false, 'a bound that is not an integer');
  assert.equal(matches({ key: 'n', operator: 'Gt', values: ['1', '2'] }, labels), false, 'two bounds');
  assert.equal(matches({ key: 'zone', operator: 'Bogus', values: ['a'] }, labels), false, 'unknown operator');
  assert.equal(termMatches(compileTerm({}), labels, 'n1'), false, 'an empty term');
  assert.equal(
    termMatches(compileTerm({ matchFields: [{ key: 'metadata.uid', operator: 'Exists' }] }), labels, 'n1'),
    false,
    'a field other than metadata.name',
  );
});

test('set operators, matchFields on metadata.name, ORed terms and the nodeSelector', () => {
  const labels = { zone: 'a', disk: 'ssd' };
  assert.equal(matches({ key: 'zone', operator: 'In', values: ['a', 'b'] }, labels), true);
  assert.equal(matches({ key: 'zone', operator: 'NotIn', values: ['a'] }, labels), false);
  assert.equal(matches({ key: 'gpu', operator: 'NotIn', values: ['x'] }, labels), true, 'NotIn passes an absent label');
  assert.equal(matches({ key: 'disk', operator: 'Exists' }, labels), true);
  assert.equal(matches({ key: 'disk', operator: 'DoesNotExist' }, labels), false);
  assert.equal(termMatches(compileTerm({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }), labels, 'n1'), true);
  assert.equal(termMatches(compileTerm({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }), labels, 'n1'), false);
  const spec = {
    nodeSelector: { disk: 'ssd' },
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
            { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
          ],
        },
      },
    },
  };
  assert.equal(matchesRequired(requiredNodeAffinity(spec), labels, 'n1'), true, 'terms are ORed');
  assert.equal(matchesRequired(requiredNodeAffinity(spec), { zone: 'a' }, 'n1'), false, 'the nodeSelector must match too');
  assert.equal(matchesRequired(requiredNodeAffinity({}), {}, 'n1'), true, 'no constraints');
  const none = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } };
  assert.equal(matchesRequired(requiredNodeAffinity(none), labels, 'n1'), false, 'an empty list of terms matches nothing');
});
