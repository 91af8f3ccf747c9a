import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStreamOptions } from './stream-options.js';

const parse = (q: string) => parseStreamOptions(new URLSearchParams(q));

test('each stream flag in every spelling of true', () => {
  for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True', '']) {
    assert.deepEqual(parse(`stdin=${v}&stdout=${v}&stderr=${v}`), { stdin: true, stdout: true, stderr: true, tty: false }, v);
  }
});

test('each stream flag in every spelling of false, and absent', () => {
  for (const v of ['0', 'FALSE', 'false', 'False']) {
    assert.deepEqual(parse(`stdin=${v}&stdout=${v}&stderr=${v}&tty=${v}`), { stdin: false, stdout: false, stderr: false, tty: false }, v);
  }
  assert.deepEqual(parse(''), { stdin: false, stdout: false, stderr: false, tty: false });
});

test('tty=True turns stderr off (a terminal has one output stream)', () => {
  assert.deepEqual(parse('stdout=True&stderr=True&tty=True'), { stdin: false, stdout: true, stderr: false, tty: true });
});
