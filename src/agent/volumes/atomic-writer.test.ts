import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAtomically } from './atomic-writer.js';

const files = (token: string) => [
  { path: 'token', data: Buffer.from(token), mode: 0o644 },
  { path: 'ns/namespace', data: Buffer.from('default'), mode: 0o644 },
];

test('Linux: files behind ..data symlinks, switched at once; unchanged content writes nothing', async (t) => {
  if (process.platform === 'win32') return t.skip('symlinks to directories need a privilege on Windows');
  const dir = mkdtempSync(join(tmpdir(), 'tandem-aw-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(await writeAtomically(dir, files('a'), 'linux'), true);
  assert.ok(lstatSync(join(dir, 'token')).isSymbolicLink());
  assert.equal(readFileSync(join(dir, 'token'), 'utf8'), 'a');
  assert.equal(await writeAtomically(dir, files('a'), 'linux'), false);
  assert.equal(await writeAtomically(dir, files('b'), 'linux'), true);
  assert.equal(readFileSync(join(dir, 'token'), 'utf8'), 'b');
  assert.equal(readdirSync(dir).filter((n) => n.startsWith('..2')).length, 1, 'the old timestamped dir is gone');
});

test('Windows: files written in place, each replaced whole; unwanted ones removed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-aw-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.equal(await writeAtomically(dir, files('a'), 'win32'), true);
  assert.ok(!lstatSync(join(dir, 'token')).isSymbolicLink());
  assert.equal(readFileSync(join(dir, 'ns', 'namespace'), 'utf8'), 'default');
  assert.equal(await writeAtomically(dir, files('a'), 'win32'), false);
  assert.equal(await writeAtomically(dir, [{ path: 'token', data: Buffer.from('c'), mode: 0o600 }], 'win32'), true);
  assert.deepEqual(readdirSync(dir), ['token'], 'ns/ went, no temporary file is left');
  assert.equal(readFileSync(join(dir, 'token'), 'utf8'), 'c');
});
