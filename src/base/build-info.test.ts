// Build facts: the commit read from a checkout's files (plain, worktree, packed refs, detached), the
// environment and package fields that stand in for it, and gitVersions that stay semantic versions.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildInfo, headCommit, kubernetesGitVersion, kubernetesPlatform, readBuildInfo } from './build-info.js';

// semver.org's regular expression (what kubectl's version.ParseSemantic accepts), with the leading v
const SEMVER =
  /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'tandem-build-info-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test('gitVersion: Kubernetes 1.32 with the Tandem release, a semantic version whatever the release looks like', () => {
  assert.equal(kubernetesGitVersion('0.1.0'), 'v1.32.0-tandem.0.1.0');
  for (const v of ['0.1.0', '1.2.3-rc.1', '2.0.0+build.7', '01.002.3', 'weird version!', '']) {
    assert.match(kubernetesGitVersion(v), SEMVER, v);
    assert.match(kubernetesGitVersion(v), /^v1\.32\.0-tandem/, v);
  }
  assert.equal(kubernetesGitVersion('01.002.3'), 'v1.32.0-tandem.1.2.3');
});

test('platform names as Kubernetes writes them', () => {
  assert.equal(kubernetesPlatform('linux', 'x64'), 'linux/amd64');
  assert.equal(kubernetesPlatform('win32', 'arm64'), 'windows/arm64');
  assert.equal(kubernetesPlatform('linux', 'ia32'), 'linux/386');
});

test('the commit of a checkout: a branch, packed refs, a detached HEAD, a worktree; none outside one', (t) => {
  const roots: string[] = [];
  t.after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
  const make = (files: Record<string, string>) => {
    const r = tree(files);
    roots.push(r);
    return r;
  };
  assert.equal(headCommit(make({ '.git/HEAD': 'ref: refs/heads/main\n', '.git/refs/heads/main': `${A}\n` })), A);
  assert.equal(headCommit(make({ '.git/HEAD': 'ref: refs/heads/main\n', '.git/packed-refs': `# pack-refs\n${B} refs/heads/main\n` })), B);
  assert.equal(headCommit(make({ '.git/HEAD': `${A}\n` })), A);
  // a worktree: .git is a file naming its git dir, whose branches live in the common dir
  const main = make({
    '.git/refs/heads/wt': `${B}\n`,
    '.git/worktrees/wt/HEAD': 'ref: refs/heads/wt\n',
    '.git/worktrees/wt/commondir': '../..\n',
  });
  const wt = make({ '.git': `gitdir: ${join(main, '.git', 'worktrees', 'wt')}\n` });
  assert.equal(headCommit(wt), B);
  assert.equal(headCommit(make({ 'package.json': '{}' })), undefined);
  assert.equal(headCommit(make({ '.git/HEAD': 'ref: refs/heads/gone\n' })), undefined);
});

test('outside a checkout the commit comes from TANDEM_GIT_COMMIT or the package, else it is empty', (t) => {
  const pkg = tree({ 'package.json': JSON.stringify({ version: '3.4.5', gitHead: A }) });
  const bare = tree({ 'package.json': JSON.stringify({ version: '3.4.5' }) });
  t.after(() => [pkg, bare].forEach((r) => rmSync(r, { recursive: true, force: true })));
  assert.deepEqual({ ...readBuildInfo(pkg, {}), buildDate: '' }, { version: '3.4.5', gitCommit: A, gitTreeState: '', buildDate: '' });
  assert.equal(readBuildInfo(pkg, { TANDEM_GIT_COMMIT: B }).gitCommit, B);
  assert.equal(readBuildInfo(bare, { TANDEM_GIT_COMMIT: 'not a commit' }).gitCommit, '');
  assert.equal(readBuildInfo(bare, {}).gitCommit, '');
  assert.match(readBuildInfo(bare, {}).buildDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test("this checkout: package.json's version, git's HEAD and tree state, the last build's time", () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const info = buildInfo();
  assert.equal(info.version, (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
  let head: string | undefined;
  try {
    // only a checkout of its own (git would otherwise answer for an enclosing repository)
    if (!existsSync(join(root, '.git'))) throw new Error('not a checkout');
    head = execFileSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    head = undefined; // no checkout or no git here: nothing to compare with
  }
  if (head && !process.env['TANDEM_GIT_COMMIT']) {
    assert.equal(info.gitCommit, head);
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    assert.equal(info.gitTreeState, dirty ? 'dirty' : 'clean');
  }
  assert.match(info.buildDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});
