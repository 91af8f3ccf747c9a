// Taking back what a failed start made in its data dir: all of a dir it created (from the first
// folder it made), only the new entries of a dir that was there, nothing of a dir with others' files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimDataDir, secureDataDir } from './data-dir.js';

test('a dir the start created goes entirely, from the first folder it made', (t) => {
  const base = mkdtempSync(join(tmpdir(), 'tandem-claim-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, 'a', 'b', 'data');
  const claim = claimDataDir(dir);
  assert.equal(claim.created, true);
  mkdirSync(join(dir, 'pki'));
  writeFileSync(join(dir, 'state.db'), 'x');
  claim.undo();
  assert.deepEqual(readdirSync(base), []);
});

test('an existing dir keeps what it had and loses what the start added', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-claim-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'kubeconfig'), 'old');
  const claim = claimDataDir(dir);
  assert.equal(claim.created, false);
  writeFileSync(join(dir, 'state.db.lock'), '1');
  mkdirSync(join(dir, 'pki'));
  claim.undo();
  assert.deepEqual(readdirSync(dir), ['kubeconfig']);
  claim.undoIfEmpty(); // not this start's dir: stays
  assert.ok(existsSync(dir));
});

test('undoIfEmpty removes a created dir only while nothing is in it', (t) => {
  const base = mkdtempSync(join(tmpdir(), 'tandem-claim-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const empty = claimDataDir(join(base, 'x', 'data'));
  empty.undoIfEmpty();
  assert.deepEqual(readdirSync(base), []);
  const used = claimDataDir(join(base, 'y'));
  writeFileSync(join(base, 'y', 'someone-elses'), '');
  used.undoIfEmpty();
  assert.deepEqual(readdirSync(join(base, 'y')), ['someone-elses']);
});

test('an existing data dir readable by others is made 0700; a file in its place is refused', (t) => {
  if (process.platform === 'win32') return t.skip('NTFS: modes do not apply');
  const base = mkdtempSync(join(tmpdir(), 'tandem-claim-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, 'data');
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);
  claimDataDir(dir);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const file = join(base, 'file');
  writeFileSync(file, 'x');
  assert.throws(() => secureDataDir(file), /is not a directory: choose another --data-dir/);
});
