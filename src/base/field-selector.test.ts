import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from './errors.js';
import { parseFieldSelector as parse, escapeFieldValue, unescapeFieldValue, fieldSelectorFromSet } from './field-selector.js';

const obj: Record<string, string> = {
  'metadata.name': 'web',
  'metadata.namespace': 'default',
  'status.phase': 'Running',
  'spec.nodeName': '',
};
const get = (f: string) => obj[f];

test('operators and requirements', () => {
  const s = parse('status.phase!=Failed,metadata.name==web,metadata.namespace=default');
  assert.deepEqual(
    s.requirements.map((r) => [r.field, r.op, r.value]),
    [
      ['metadata.name', '=', 'web'],
      ['metadata.namespace', '=', 'default'],
      ['status.phase', '!=', 'Failed'],
    ],
  );
  assert.deepEqual(s.fields(), ['metadata.name', 'metadata.namespace', 'status.phase']);
  assert.equal(s.matches(get), true);
  assert.equal(s.toString(), 'metadata.name=web,metadata.namespace=default,status.phase!=Failed');
  assert.equal(s.requiresExactMatch('metadata.name'), 'web');
  assert.equal(s.requiresExactMatch('status.phase'), undefined);
});

test('matching', () => {
  assert.equal(parse('metadata.name=other').matches(get), false);
  assert.equal(parse('status.phase!=Running').matches(get), false);
  assert.equal(parse('spec.nodeName=').matches(get), true);
  assert.equal(parse('spec.nodeName!=').matches(get), false);
  assert.equal(parse('unknown.field=').matches(get), true, 'a missing field reads as empty');
  assert.equal(parse('unknown.field!=x').matches(get), true);
  assert.equal(parse('').matches(get), true);
  assert.equal(parse('').empty, true);
  assert.equal(parse(',,').empty, true);
});

test('escapes', () => {
  const s = parse('a=x\\,y\\=z\\\\w,b!=1');
  assert.deepEqual(
    s.requirements.map((r) => r.value),
    ['x,y=z\\w', '1'],
  );
  assert.equal(s.toString(), 'a=x\\,y\\=z\\\\w,b!=1');
  assert.equal(escapeFieldValue('a,b=c\\d'), 'a\\,b\\=c\\\\d');
  assert.equal(unescapeFieldValue(escapeFieldValue('a,b=c\\d!')), 'a,b=c\\d!');
  assert.equal(parse('a=!x').requirements[0]?.value, '!x');
});

test('errors carry upstream messages', () => {
  const bad = (s: string, msg: string) =>
    assert.throws(
      () => parse(s),
      (e: unknown) => isStatusError(e) && e.code === 400 && e.message === msg,
      s,
    );
  bad('abc', "invalid selector: 'abc'; can't understand 'abc'");
  bad('a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'");
  bad('a=b=c', 'invalid field selector: unescaped character in value: 61');
  bad('a=\\x', 'invalid field selector: invalid escape sequence: \\x');
  bad('a=\\!', 'invalid field selector: invalid escape sequence: \\!');
  bad('a=x\\', 'invalid field selector: invalid escape sequence: \\');
});

test('whitespace is significant and == is equality', () => {
  const s = parse('a = b');
  assert.equal(s.requirements[0]?.field, 'a ');
  assert.equal(s.requirements[0]?.value, ' b');
  assert.equal(parse('a==b').requirements[0]?.op, '=');
});

test('from a set', () => {
  const s = fieldSelectorFromSet({ 'spec.nodeName': 'n1', 'metadata.name': 'p' });
  assert.equal(s.toString(), 'metadata.name=p,spec.nodeName=n1');
  assert.equal(
    s.matches((f) => ({ 'spec.nodeName': 'n1', 'metadata.name': 'p' })[f]),
    true,
  );
});
