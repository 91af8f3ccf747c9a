#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with node:test, unit tests first, end-to-end last.
// Usage: node scripts/run-tests.js [filter-substring ...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

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
if (files.length === 0) { console.error('no test files found under dist/'); process.exit(1); }
// Which node runs the tests (each test file runs in a child of this same binary): CI runs the suite on two.
console.log(`run-tests: ${files.length} test files on node ${process.version} (${process.execPath})`);
// --test-force-exit: a test file whose tests are done exits even if a stray handle (a client reconnecting,
// a timer) would keep it alive; --test-timeout bounds any single test.
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-force-exit', '--test-timeout=600000', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
