// What `npm pack` would ship: the CLI and its compiled code, never tests or test support (testing/).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { repoRoot } from './gen-schema.js';

test('the package ships the compiled CLI and nothing from tests or testing/ folders', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot(), encoding: 'utf8' });
  const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map((f) => f.path) ?? [];
  assert.ok(files.includes('dist/src/cli/main.js'), 'the CLI is in the package');
  assert.ok(files.includes('bin/tandem.js'));
  assert.ok(files.includes('src/agent/runtime/cri/cri.proto'), 'the CRI proto the agent reads at run time');
  assert.ok(
    files.some((f) => f.startsWith('dist/src/agent/sim/')),
    'the simulator ships (tandem sim)',
  );
  const leaked = files.filter(
    (f) => f.includes('/testing/') || f.endsWith('.test.js') || f.startsWith('dist/test/') || f.startsWith('dist/bench/'),
  );
  assert.deepEqual(leaked, []);
});
