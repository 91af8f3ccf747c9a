import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from './errors.js';
import { parseLabelSelector as parse, selectorFromSet, everything, nothing, isQualifiedName, isValidLabelValue } from './label-selector.js';

const rejects = (s: string, msg?: string | RegExp) =>
  assert.throws(
    () => parse(s),
    (e: unknown) => {
      if (!isStatusError(e) || e.code !== 400 || e.reason !== 'BadRequest') return false;
      if (msg === undefined) return true;
      return typeof msg === 'string' ? e.message === msg : msg.test(e.message);
    },
    s,
  );

test('all operators parse and print canonically', () => {
  const cases: [string, string][] = [
    ['a=b,c==d,e!=f,g in (x,y),h notin (z),i,!j', 'a=b,c==d,e!=f,g in (x,y),h notin (z),i,!j'],
    ['  x = a ,  y in ( b , a ) , ! z ', 'x=a,y in (a,b),!z'],
    ['z=1,a=2', 'a=2,z=1'],
    ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    ['a>1,b<10', 'a>1,b<10'],
    ['example.com/key=v', 'example.com/key=v'],
    ['a=', 'a='],
    ['a!=', 'a!='],
    ['in in (in,notin)', 'in in (in,notin)'],
    ['notin=in', 'notin=in'],
    ['x in (b,a,b)', 'x in (a,b)'],
    ['', ''],
    ['   ', ''],
  ];
  for (const [s, want] of cases) assert.equal(parse(s).toString(), want, s);
});

test('requirements are exposed sorted by key for indexing', () => {
  const s = parse('tier in (b,a),app=web,!canary');
  assert.deepEqual(
    s.requirements.map((r) => [r.key, r.operator, [...r.values]]),
    [
      ['app', '=', ['web']],
      ['canary', '!', []],
      ['tier', 'in', ['a', 'b']],
    ],
  );
  assert.equal(s.requiresExactMatch('app'), 'web');
  assert.equal(s.requiresExactMatch('tier'), undefined);
  assert.equal(parse('x in (only)').requiresExactMatch('x'), 'only');
  assert.equal(parse('x!=y').requiresExactMatch('x'), undefined);
  assert.equal(s.empty, false);
  assert.equal(parse('').empty, true);
});

test('matching', () => {
  const m = (sel: string, labels: Record<string, string> | undefined) => parse(sel).matches(labels);
  assert.equal(m('a=b', { a: 'b' }), true);
  assert.equal(m('a=b', { a: 'c' }), false);
  assert.equal(m('a=b', {}), false);
  assert.equal(m('a=b', undefined), false);
  assert.equal(m('a==b', { a: 'b', x: 'y' }), true);
  assert.equal(m('a!=b', { a: 'c' }), true);
  assert.equal(m('a!=b', {}), true);
  assert.equal(m('a!=b', { a: 'b' }), false);
  assert.equal(m('a!=', { a: '' }), false);
  assert.equal(m('a!=', { a: 'x' }), true);
  assert.equal(m('a!=', {}), true);
  assert.equal(m('a=', { a: '' }), true);
  assert.equal(m('a=', {}), false);
  assert.equal(m('a in (x,y)', { a: 'y' }), true);
  assert.equal(m('a in (x,y)', { a: 'z' }), false);
  assert.equal(m('a in (x,y)', {}), false);
  assert.equal(m('a notin (x)', {}), true, 'notin matches when the label is absent');
  assert.equal(m('a notin (x)', { a: 'x' }), false);
  assert.equal(m('a notin (x)', { a: 'z' }), true);
  assert.equal(m('a', { a: '' }), true);
  assert.equal(m('a', {}), false);
  assert.equal(m('!a', {}), true);
  assert.equal(m('!a', { a: 'v' }), false);
  assert.equal(m('a in ()', { a: '' }), true);
  assert.equal(m('a in ()', { a: 'x' }), false);
  assert.equal(m('a>1', { a: '2' }), true);
  assert.equal(m('a>1', { a: '1' }), false);
  assert.equal(m('a>1', { a: 'x' }), false);
  assert.equal(m('a>1', {}), false);
  assert.equal(m('a<10', { a: '9' }), true);
  assert.equal(m('a<10', { a: '10' }), false);
  assert.equal(m('a<10', { a: '-5' }), true);
  assert.equal(m('a>9223372036854775806', { a: '9223372036854775807' }), true);
  assert.equal(m('', undefined), true);
  assert.equal(m('app=web,tier in (fe,be),!canary', { app: 'web', tier: 'be' }), true);
  assert.equal(m('app=web,tier in (fe,be),!canary', { app: 'web', tier: 'be', canary: 'true' }), false);
  // inherited properties are not labels
  assert.equal(m('toString', {}), false);
  assert.equal(m('!constructor', {}), true);
});

test('syntax errors carry upstream messages', () => {
  rejects('a=b,', "found '', expected: identifier after ','");
  rejects(',a', "found ',', expected: !, identifier, or 'end of string'");
  rejects('a=b c', "found 'c', expected: ',' or 'end of string'");
  rejects('a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  rejects('a in x', "unable to parse requirement: found 'x' expected: '('");
  rejects('a in (x y)', "unable to parse requirement: found 'y', expected: ',' or ')'");
  rejects('a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier");
  rejects('a in (x,', "unable to parse requirement: found '', expected: ',', or identifier");
  rejects('a=(b)', "unable to parse requirement: found '(', expected: identifier");
  rejects('a=!b', "unable to parse requirement: found '!', expected: identifier");
  rejects('a===b', "unable to parse requirement: found '=', expected: identifier");
  rejects('!a=b', "found '=', expected: ',' or 'end of string'");
  rejects('!', "unable to parse requirement: found '', expected: identifier");
  rejects('a=b,,c', "found ',', expected: identifier after ','");
});

test('keys and values are validated', () => {
  rejects('_a=b', /^unable to parse requirement: <nil>: Invalid value: "_a": name part must consist of alphanumeric characters/);
  rejects('a/b/c', /a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  rejects('/a', /prefix part must be non-empty/);
  rejects('Example.com/a', /prefix part a lowercase RFC 1123 subdomain must consist of/);
  rejects(`${'k'.repeat(64)}`, /name part must be no more than 63 characters/);
  rejects(
    `a=${'v'.repeat(64)}`,
    /^unable to parse requirement: values\[0\]\[a\]: Invalid value: "v{64}": must be no more than 63 characters$/,
  );
  rejects(
    'a=-x',
    /values\[0\]\[a\]: Invalid value: "-x": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '\.', and must start and end with an alphanumeric character \(e\.g\. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '\(\(\[A-Za-z0-9\]\[-A-Za-z0-9_\.\]\*\)\?\[A-Za-z0-9\]\)\?'\)$/,
  );
  rejects('a in (ok,b@d)', /values\[0\]\[a\]: Invalid value: "b@d"/);
  rejects('a>x', /^unable to parse requirement: values\[0\]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer$/);
  rejects('a>99999999999999999999', /the value must be an integer/);
  assert.doesNotThrow(() => parse(`${'k'.repeat(63)}=${'v'.repeat(63)}`));
  assert.doesNotThrow(() => parse(`${'p'.repeat(60)}.example.com/${'k'.repeat(63)}`));
  assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
  assert.equal(isQualifiedName('').length, 2);
  assert.deepEqual(isValidLabelValue(''), []);
  assert.equal(isValidLabelValue('x'.repeat(64)).length, 1);
});

test('set, everything and nothing', () => {
  const s = selectorFromSet({ b: '2', a: '1' });
  assert.equal(s.toString(), 'a=1,b=2');
  assert.equal(s.matches({ a: '1', b: '2', c: '3' }), true);
  assert.equal(s.matches({ a: '1' }), false);
  assert.equal(selectorFromSet(undefined).matches({}), true);
  assert.equal(everything().matches(undefined), true);
  assert.equal(nothing().matches({}), false);
});

test('a parsed selector prints to text that parses back to the same selector', () => {
  for (const s of ['a=b,c==d,e!=f,g in (x,y),h notin (z),i,!j', 'x in (foo,,baz),y,z notin ()', 'a>1,b<2', 'k.io/x in (a),k.io/y=']) {
    const once = parse(s).toString();
    assert.equal(parse(once).toString(), once);
  }
});

test('long value sets (a 1,500-value in / notin) match by lookup, with the same answers', () => {
  const values = Array.from({ length: 1500 }, (_, i) => `v${i}`);
  const sel = parse(`app in (${values.join(',')}),tier notin (${values.join(',')})`);
  assert.equal(sel.matches({ app: 'v1499', tier: 'other' }), true);
  assert.equal(sel.matches({ app: 'v1499', tier: 'v7' }), false);
  assert.equal(sel.matches({ app: 'v1500' }), false);
  assert.equal(sel.matches({ app: 'v0' }), true, 'notin matches an absent key');
  assert.equal(sel.matches({}), false);
  // small sets keep the scan; the same answers
  assert.equal(parse('app in (a,b)').matches({ app: 'b' }), true);
  assert.equal(parse('app notin (a,b)').matches({ app: 'c' }), true);
});
