// The control loops of the real `tandem` CLI in their own thread or process: `tandem up` (a node
// of native processes only) still reports ready in under 1 s of its own time with its scheduler and
// controllers in a worker thread, and stops promptly on SIGTERM; `tandem server --control-loops
// process` runs them in a child process that ends with the server, whether the server stops or is
// killed. `tandem up` changes this host: run this file under `flock /tmp/tandem-up.lock`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { startTandem } from './harness.js';

const QUIET_NODE = ['--runtime', 'process', '--proxy', 'none', '--cluster-dns-listen', 'none'];

async function until(what: string, f: () => boolean, ms: number, output: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

/** The control-loop host children of `pid` (their command line names the process entry). */
function hostChildren(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('control-loops/process-entry.js')) out.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

test('tandem up: ready in under 1 s of its own time with the control loops in a thread; SIGTERM stops it promptly', async (t) => {
  const args = [...QUIET_NODE, '--node-name', `loops-${process.pid}`];
  // the first start makes the PKI (key generation takes seconds on a busy box): the time is the restart's
  const first = await startTandem({ command: 'up', args, keepDataDir: true });
  t.after(() => first.kill());
  await first.stop();
  const up = await startTandem({ command: 'up', args, dataDir: first.dataDir });
  t.after(() => up.kill());
  const ms = Number(/tandem server ready in (\d+) ms/.exec(up.output())?.[1]);
  assert.ok(ms < 1000, `tandem up reported ready in ${ms} ms:\n${up.output()}`);
  assert.match(up.output(), /info control-loops: scheduler and controllers started off the API server event loop mode=thread/);
  // the host's lines come out on the server's stdout, in its format
  await until('the control loops to lead', () => /info controllers: leading: components started/.test(up.output()), 30_000, up.output);
  await until('the node', () => /node loops-\d+ ready/.test(up.output()), 60_000, up.output);
  const t0 = Date.now();
  await up.stop();
  assert.equal(up.proc.exitCode, 0, up.output());
  assert.ok(Date.now() - t0 < 10_000, `stopping took ${Date.now() - t0} ms`);
});

test('tandem server --control-loops process: the child ends when the server stops and when it is killed', async (t) => {
  for (const end of ['SIGTERM', 'SIGKILL'] as const) {
    const srv = await startTandem({ args: ['--control-loops', 'process', '--cluster-dns-listen', 'none'] });
    t.after(() => srv.kill());
    const pid = srv.proc.pid!;
    await until('the control loops to lead', () => /info controllers: leading: components started/.test(srv.output()), 30_000, srv.output);
    const children = hostChildren(pid);
    assert.equal(children.length, 1, `one control-loop child of ${pid}: ${children.join(',')}`);
    const child = children[0]!;
    // no secrets on the command line: the config (tokens, the CA key) goes over IPC
    assert.doesNotMatch(readFileSync(`/proc/${child}/cmdline`, 'utf8'), new RegExp(srv.token()));
    if (end === 'SIGTERM') {
      await srv.stop();
      assert.equal(srv.proc.exitCode, 0, srv.output());
    } else await srv.kill();
    await until(`the child ${child} to exit after the server's ${end}`, () => !alive(child), 5000, srv.output);
  }
});
