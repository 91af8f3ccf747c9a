#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with node:test, unit tests first, end-to-end last,
// then prints a short summary (counts, each failure with its error's first lines, each skip with its
// reason) below node's own output, so that the end of a long run says what failed.
// Usage: node scripts/run-tests.js [filter-substring ...]
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, URL } from 'node:url';

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
const filters = process.argv.slice(2);
const files = walk('dist', [])
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort((a, b) => Number(a.includes('e2e')) - Number(b.includes('e2e')) || a.localeCompare(b));
if (files.length === 0) {
  console.error('no test files found under dist/');
  process.exit(1);
}
// Which node runs the tests (each test file runs in a child of this same binary): CI runs the suite on two.
console.log(`run-tests: ${files.length} test files on node ${process.version} (${process.execPath})`);

// Naming a reporter replaces node's default one, so the default is named as node chooses it (spec on a
// terminal, else TAP; spec always from Node 23 on): the output people and CI logs read stays as it was.
// The summary reporter (scripts/summary-reporter.ts, compiled) keeps the summary in the file named by
// $TANDEM_TEST_SUMMARY, rewritten as results come (Node 20's --test-force-exit cuts reporters' last
// writes), and prints nothing itself; the file is printed after the run.
const reporter = fileURLToPath(new URL('../dist/scripts/summary-reporter.js', import.meta.url));
const major = Number(process.versions.node.split('.')[0]);
const usual = major >= 23 || process.stdout.isTTY ? 'spec' : 'tap';
const scratch = existsSync(reporter) ? mkdtempSync(join(tmpdir(), 'tandem-tests-')) : undefined;
const summaryFile = scratch && join(scratch, 'summary.txt');
const reporters = summaryFile
  ? [`--test-reporter=${usual}`, '--test-reporter-destination=stdout', `--test-reporter=${reporter}`, '--test-reporter-destination=stdout']
  : [];
// --test-force-exit: a test file whose tests are done exits even if a stray handle (a client reconnecting,
// a timer) would keep it alive; --test-timeout bounds any single test. The preload makes each file's
// result stream survive that exit (see test-child-stdout.js).
const preload = fileURLToPath(new URL('./test-child-stdout.js', import.meta.url));
const r = spawnSync(
  process.execPath,
  ['--import', preload, '--test', '--test-concurrency=1', '--test-force-exit', '--test-timeout=600000', ...reporters, ...files],
  { stdio: 'inherit', env: summaryFile ? { ...process.env, TANDEM_TEST_SUMMARY: summaryFile } : process.env },
);
if (summaryFile) {
  const summary = existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8') : '';
  process.stdout.write(
    summary
      ? `\n${summary}`
      : `\nrun-tests: no summary: the run ended before node:test finished (${r.signal ?? `exit code ${r.status}`})\n`,
  );
  rmSync(scratch, { recursive: true, force: true });
} else {
  console.log(`run-tests: no summary (${reporter} is not built)`);
}
process.exit(r.status ?? 1);
