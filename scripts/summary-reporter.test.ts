// The test summary: scripts/run-tests.js run on a small tree of real test files (passing, failing,
// skipped with and without a reason, a file that crashes at load) keeps node's own output and ends
// with the summary; and the collector reads Node 24's event shape as well as Node 20's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './gen-schema.js';
import { createSummary } from './summary-reporter.js';

const FIXTURE_OK = `import { test } from 'node:test';
test('adds', () => {});
test('needs a Windows host', { skip: 'no Windows here' }, () => {});
`;
const FIXTURE_BAD = `import { test, describe, it } from 'node:test';
import assert from 'node:assert/strict';
test('compares', () => {});
describe('pods', () => {
  it('keeps its name', () => { assert.equal('web-1', 'web-2'); });
  it('quietly skipped', { skip: true }, () => {});
});
test('later', { todo: 'not built' }, () => {});
`;
const FIXTURE_CRASH = `console.error('cannot load: the fixture is broken');
throw new Error('broken at load');
`;

/** A scratch checkout with dist/ holding the given test files; run-tests.js is run from it. */
function tree(files: Record<string, string>): { dir: string; run(): { status: number | null; stdout: string } } {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-summary-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, 'dist', name, '..'), { recursive: true });
    writeFileSync(join(dir, 'dist', name), text);
  }
  // this test runs inside node:test: its children must not think they are test files of this run
  const env = { ...process.env };
  delete env['NODE_TEST_CONTEXT'];
  delete env['TANDEM_TEST_SUMMARY'];
  return {
    dir,
    run: () => {
      const r = spawnSync(process.execPath, [join(repoRoot(), 'scripts', 'run-tests.js')], { cwd: dir, env, encoding: 'utf8' });
      return { status: r.status, stdout: r.stdout };
    },
  };
}

test('run-tests: node output as before, then a summary of failures and skips, same exit code', (t) => {
  const { dir, run } = tree({ 'a/ok.test.js': FIXTURE_OK, 'b/bad.test.js': FIXTURE_BAD, 'c/crash.test.js': FIXTURE_CRASH });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { status, stdout } = run();
  assert.equal(status, 1, 'a failing run still exits 1');
  // stdout is not a terminal: node 20 and 22 print TAP here, 23 and later spec; either way the failure is in it
  assert.match(stdout, /not ok \d+ - keeps its name|✖ keeps its name/);
  const at = stdout.indexOf('== test summary:');
  assert.ok(at > 0, `a summary follows node's output:\n${stdout}`);
  const summary = stdout.slice(at);
  assert.match(summary, /^== test summary: 2 passed, 2 failed, 2 skipped, 1 todo in [\d.]+ s ==$/m);
  // each failure: file and line, its suite and name, the first lines of its error and where it was thrown
  assert.match(
    summary,
    /✗ dist\/b\/bad\.test\.js:5 {2}pods > keeps its name\n {6}AssertionError \[ERR_ASSERTION\]: Expected values to be strictly equal:/,
  );
  // (Node 20 shows a diff, Node 24 one line)
  assert.match(summary, /\n {6}\+ 'web-1'\n {6}- 'web-2'\n|\n {6}'web-1' !== 'web-2'\n/);
  assert.match(summary, /at dist\/b\/bad\.test\.js:5:\d+/);
  // a file that cannot load fails as a whole: its own stderr says why
  assert.match(
    summary,
    /✗ dist\/c\/crash\.test\.js {2}the test file itself failed \(exit code 1\)\n(?: {6}.*\n)*? {6}cannot load: the fixture is broken/,
  );
  assert.match(summary, /Error: broken at load/);
  // skips with their reasons; a skip without one is called out
  assert.match(summary, /- dist\/a\/ok\.test\.js:3 {2}needs a Windows host: no Windows here/);
  assert.match(summary, /- dist\/b\/bad\.test\.js:6 {2}pods > quietly skipped: NO REASON GIVEN/);
  // what passed is not listed, and the summary is the end of the output
  assert.doesNotMatch(summary, /compares|adds/);
  assert.ok(stdout.trimEnd().endsWith('NO REASON GIVEN: a test may skip only when the platform cannot run it, and must say so'));
});

test('run-tests: a passing run exits 0 and says so in one line', (t) => {
  const { dir, run } = tree({ 'ok.test.js': `import { test } from 'node:test';\ntest('fine', () => {});\n` });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { status, stdout } = run();
  assert.equal(status, 0);
  assert.match(stdout, /\n== test summary: 1 passed, 0 failed, 0 skipped in [\d.]+ s ==\n$/);
});

test('the summary reads Node 24 events (relative file, entryFile) and cancelled tests', () => {
  let now = 1000;
  const s = createSummary('/repo', () => now);
  const at = { file: 'dist/x.test.js', entryFile: '/repo/dist/x.test.js' };
  s.add({ type: 'test:start', data: { ...at, name: 'outer', nesting: 0, line: 3 } });
  s.add({ type: 'test:start', data: { ...at, name: 'slow', nesting: 1, line: 4 } });
  const timeout = { failureType: 'testTimeoutFailure', cause: { message: 'test timed out after 50ms' } };
  s.add({ type: 'test:fail', data: { ...at, name: 'slow', nesting: 1, line: 4, details: { type: 'test', error: timeout } } });
  s.add({ type: 'test:start', data: { ...at, name: 'after', nesting: 1, line: 5 } });
  const cancelled = { failureType: 'cancelledByParent', cause: 'test did not finish before its parent and was cancelled' };
  s.add({ type: 'test:fail', data: { ...at, name: 'after', nesting: 1, line: 5, details: { error: cancelled } } });
  const parent = { failureType: 'subtestsFailed', cause: '2 subtests failed' };
  s.add({ type: 'test:fail', data: { ...at, name: 'outer', nesting: 0, line: 3, details: { type: 'suite', error: parent } } });
  now += 2500;
  assert.equal(
    s.format(),
    [
      '== test summary: 0 passed, 1 failed, 1 cancelled, 0 skipped in 2.5 s ==',
      'failed:',
      '  ✗ dist/x.test.js:4  outer > slow',
      '      test timed out after 50ms',
      'cancelled (their parent failed or timed out first):',
      '  - dist/x.test.js:5  outer > after',
      '',
    ].join('\n'),
  );
});
