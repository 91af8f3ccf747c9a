import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from './request-info.js';
import { writeOptions } from '../handlers/options.js';

const verbOf = (query: string, path = '/api/v1/namespaces/default/pods') => {
  const info = parseRequestInfo('GET', path, new URLSearchParams(query));
  assert.ok(info && info.kind === 'resource');
  return info.verb;
};

test('watch in every spelling upstream reads as true makes a watch (the Python client sends watch=True)', () => {
  for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True', '']) {
    assert.equal(verbOf(`watch=${v}`), 'watch', v);
    assert.equal(verbOf(`watch=${v}&fieldSelector=metadata.name%3Dx`, '/api/v1/namespaces/default/pods/x'), 'watch', v);
  }
});

test('watch in every spelling of false, or absent, is a list', () => {
  for (const v of ['0', 'FALSE', 'false', 'False']) assert.equal(verbOf(`watch=${v}`), 'list', v);
  assert.equal(verbOf(''), 'list');
});

test('force of a server-side apply in any spelling', () => {
  assert.equal(writeOptions(new URLSearchParams('force=True')).force, true);
  assert.equal(writeOptions(new URLSearchParams('force=1')).force, true);
  assert.equal(writeOptions(new URLSearchParams('force=False')).force, false);
  assert.equal(writeOptions(new URLSearchParams('')).force, false);
});
