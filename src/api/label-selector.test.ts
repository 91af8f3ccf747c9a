import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../base/errors.js';
import { formatLabelSelector, fromLabelSelector, selectorMatches, selectorString } from './label-selector.js';

test('structured selectors follow LabelSelectorAsSelector', () => {
  assert.equal(fromLabelSelector(null).matches({ a: 'b' }), false);
  assert.equal(fromLabelSelector(undefined).matches({}), false);
  assert.equal(fromLabelSelector(undefined).nothing, true);
  assert.equal(fromLabelSelector({}).matches({}), true);
  assert.equal(fromLabelSelector({ matchLabels: {}, matchExpressions: [] }).empty, true);
  const s = fromLabelSelector({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['b', 'a'] },
      { key: 'env', operator: 'NotIn', values: ['prod'] },
      { key: 'team', operator: 'Exists' },
      { key: 'canary', operator: 'DoesNotExist' },
    ],
  });
  assert.equal(s.toString(), 'app=web,!canary,env notin (prod),team,tier in (a,b)');
  assert.equal(s.matches({ app: 'web', tier: 'a', team: 'x' }), true);
  assert.equal(s.matches({ app: 'web', tier: 'a', team: 'x', env: 'prod' }), false);
  assert.equal(s.matches({ app: 'web', tier: 'c', team: 'x' }), false);
  assert.equal(s.requiresExactMatch('app'), 'web');
  const bad = (sel: object, msg: string | RegExp) =>
    assert.throws(
      () => fromLabelSelector(sel),
      (e: unknown) => isStatusError(e) && e.code === 400 && (typeof msg === 'string' ? e.message === msg : msg.test(e.message)),
    );
  bad(
    { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
    "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty",
  );
  bad(
    { matchExpressions: [{ key: 'a', operator: 'NotIn' }] },
    "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty",
  );
  bad(
    { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
    'values: Invalid value: ["x"]: values set must be empty for exists and does not exist',
  );
  bad({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, '"Gt" is not a valid label selector operator');
  bad({ matchLabels: { 'bad key': 'v' } }, /^key: Invalid value: "bad key": name part must consist/);
  bad({ matchLabels: { k: 'bad value' } }, /^values\[0\]\[k\]: Invalid value: "bad value"/);
});

test('selectorString (printers, Scale) and formatLabelSelector (describe)', () => {
  assert.equal(
    selectorString({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }),
    'app=web,tier in (a,b)',
  );
  assert.equal(selectorString({ matchLabels: { b: '2', a: '1' } }), 'a=1,b=2');
  assert.equal(selectorString({}), '');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(null), '<none>');
  assert.equal(selectorString({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), '<error>');
});

test('selectorMatches: absent or invalid selectors match nothing', () => {
  const sel = {
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'env', operator: 'NotIn', values: ['prod', 'dev'] },
      { key: 'legacy', operator: 'DoesNotExist' },
    ],
  };
  assert.equal(selectorMatches(sel, { app: 'web', env: 'test' }), true);
  assert.equal(selectorMatches(sel, { app: 'web', env: 'prod' }), false);
  assert.equal(selectorMatches(sel, { app: 'web', legacy: '' }), false);
  assert.equal(selectorMatches(undefined, { app: 'web' }), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }, { a: 'x' }), false);
  assert.equal(selectorMatches({}, undefined), true);
  assert.equal(selectorString(sel), 'app=web,env notin (dev,prod),!legacy');
});
