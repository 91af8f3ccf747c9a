// Starting and stopping Tandem as users do: `npm start` (the real npm, which builds first) stopped by
// SIGINT and by SIGTERM sent to npm's process (as a supervisor or `kill` sends them) shuts Tandem
// down, closes its port and releases its store; a start that fails (its port taken) leaves no new
// data dir behind, and an existing one as it was, with no lock; a signal during a start stops it
// cleanly once it is up. The node of `up` runs native processes only (no containerd, no host network
// changes) on port 0.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TANDEM } from './harness.js';
import { removeTree } from './remove-tree.js';

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const QUIET_NODE = ['--runtime', 'process', '--proxy', 'none', '--cluster-dns-listen', 'none'];

function npmAvailable(): boolean {
  return spawnSync('npm', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Spawns a command; `output()` is stdout and stderr so far, `exited` resolves with its code (or signal). */
function launch(cmd: string, args: string[], cwd = REPO): { proc: ChildProcess; output(): string; exited: Promise<number | string> } {
  // npm's update check would reach for the registry: this machine may have no internet
  const proc = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | string>((res) => proc.once('exit', (code, sig) => res(code ?? sig ?? -1)));
  return { proc, output: () => out, exited };
}

async function until(what: string, f: () => boolean, ms: number, output: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      res(false);
    });
    s.once('error', () => res(true));
  });
}

/** The children of `pid` (from /proc/PID/stat's parent field), to check what npm runs and that nothing outlives it. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} to \`npm start\` stops Tandem: npm exits, the port closes, the store's lock goes`, async (t) => {
    if (!npmAvailable()) {
      t.skip('npm is not on PATH');
      return;
    }
    const base = mkdtempSync(join(tmpdir(), 'tandem-npm-start-'));
    t.after(() => removeTree(base));
    const dataDir = join(base, 'data');
    const npm = launch('npm', [
      'start',
      '--',
      '--data-dir',
      dataDir,
      '--listen',
      '127.0.0.1:0',
      ...QUIET_NODE,
      '--node-name',
      `npm-${signal.toLowerCase()}-${process.pid}`,
    ]);
    let tree: number[] = [];
    t.after(() => {
      // a start script that does not pass the signal on leaves Tandem running: end it here, not in the next test
      for (const pid of [npm.proc.pid!, ...tree]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    });
    await until('the ready line and the kubeconfig', () => /admin kubeconfig:/.test(npm.output()), 120_000, npm.output);
    tree = childrenOf(npm.proc.pid!).flatMap((p) => [p, ...childrenOf(p)]);
    const port = Number(/ready in \d+ ms at https:\/\/127\.0\.0\.1:(\d+)/.exec(npm.output())?.[1]);
    assert.ok(port > 0, npm.output());
    assert.equal(await refused(port), false, 'the API answers before the signal');
    // npm's child is Tandem itself: no shell between them
    const kids = childrenOf(npm.proc.pid!);
    assert.equal(kids.length, 1, `npm's children: ${kids.join(', ')}`);
    assert.match(readFileSync(`/proc/${kids[0]}/cmdline`, 'utf8'), /scripts\/start\.js/);
    assert.ok(existsSync(join(dataDir, 'state.db.lock')));

    npm.proc.kill(signal);
    const late = new Promise((r) => setTimeout(() => r('still running after 30 s'), 30_000).unref());
    const code = await Promise.race([npm.exited, late]);
    assert.equal(code, 0, npm.output());
    assert.match(npm.output(), new RegExp(`received ${signal}, shutting down`));
    assert.equal(alive(kids[0]!), false, 'Tandem outlived npm');
    assert.equal(await refused(port), true, 'the API port is still open');
    assert.equal(existsSync(join(dataDir, 'state.db.lock')), false, "the store's lock is left behind");
  });
}

function takePort(): Promise<{ server: Server; port: number }> {
  return new Promise((res) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => res({ server, port: (server.address() as { port: number }).port }));
  });
}

test('a start whose port is taken says so and leaves no new data dir, and an existing one as it was', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'tandem-failed-start-'));
  const { server, port } = await takePort();
  t.after(() => {
    server.close();
    removeTree(base);
  });
  for (const command of ['server', 'up']) {
    const dataDir = join(base, `new-${command}`, 'data');
    const flags = command === 'up' ? QUIET_NODE : ['--cluster-dns-listen', 'none'];
    const r = spawnSync(process.execPath, [TANDEM, command, '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, ...flags], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`tandem: --listen 127\\.0\\.0\\.1:${port}: the address is in use`));
    assert.equal(existsSync(join(base, `new-${command}`)), false, `${command}: the data dir it created is still there`);
  }

  // a data dir of an earlier start, then a start that fails in it
  const used = join(base, 'used');
  const first = launch(process.execPath, [TANDEM, 'server', '--data-dir', used, '--listen', '127.0.0.1:0', '--cluster-dns-listen', 'none']);
  await until('the first start', () => /admin kubeconfig:/.test(first.output()), 60_000, first.output);
  first.proc.kill('SIGTERM');
  assert.equal(await first.exited, 0, first.output());
  const before = readdirSync(used).sort();
  const kubeconfig = readFileSync(join(used, 'kubeconfig'), 'utf8');
  const r = spawnSync(process.execPath, [TANDEM, 'server', '--data-dir', used, '--listen', `127.0.0.1:${port}`], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.deepEqual(readdirSync(used).sort(), before);
  assert.equal(existsSync(join(used, 'state.db.lock')), false, 'a stale lock is left');
  assert.equal(readFileSync(join(used, 'kubeconfig'), 'utf8'), kubeconfig);

  // and the dir still starts
  const again = launch(process.execPath, [TANDEM, 'server', '--data-dir', used, '--listen', '127.0.0.1:0', '--cluster-dns-listen', 'none']);
  await until('the start after the failed one', () => /admin kubeconfig:/.test(again.output()), 60_000, again.output);
  again.proc.kill('SIGTERM');
  assert.equal(await again.exited, 0, again.output());
});

test('SIGINT during a start: Tandem finishes starting, then stops cleanly and releases its store', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'tandem-signal-start-'));
  t.after(() => removeTree(base));
  const dataDir = join(base, 'data');
  const srv = launch(process.execPath, [
    TANDEM,
    'up',
    '--data-dir',
    dataDir,
    '--listen',
    '127.0.0.1:0',
    ...QUIET_NODE,
    '--node-name',
    `sigstart-${process.pid}`,
  ]);
  t.after(() => {
    if (srv.proc.exitCode === null) srv.proc.kill('SIGKILL');
  });
  // the store is open: the command is past its first line, which catches the signals
  await until('the store to open', () => existsSync(join(dataDir, 'state.db.lock')), 60_000, srv.output);
  srv.proc.kill('SIGINT');
  assert.equal(await srv.exited, 0, srv.output());
  assert.match(srv.output(), /received SIGINT/);
  assert.equal(existsSync(join(dataDir, 'state.db.lock')), false, srv.output());
});
