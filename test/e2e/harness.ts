// End-to-end harness: runs the built `tandem` CLI as a child process in a temporary data dir and
// drives it with the real /usr/bin/kubectl (HOME is a temporary dir, so ~/.kube/cache starts empty).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeTree } from './remove-tree.js';

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const TANDEM = join(REPO, 'bin', 'tandem.js');
export const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TandemProcess {
  url: string;
  port: number;
  dataDir: string;
  kubeconfig: string;
  home: string;
  proc: ChildProcess;
  output(): string;
  kubectl(args: string[], opts?: { input?: string; env?: Record<string, string>; timeoutMs?: number }): RunResult;
  kubectlAsync(args: string[], opts?: { env?: Record<string, string> }): ChildProcess;
  /** SIGTERM and wait */
  stop(): Promise<void>;
  /** SIGKILL and wait */
  kill(): Promise<void>;
  token(): string;
  caPem(): string;
}

export function kubectlAvailable(): boolean {
  return existsSync(KUBECTL);
}

export interface StartOptions {
  command?: 'server' | 'up';
  /** extra CLI arguments (a later `--listen host:port` overrides the default port 0) */
  args?: string[];
  dataDir?: string;
  keepDataDir?: boolean;
  /** extra environment variables for the server process (e.g. TANDEM_COMPACT_INTERVAL_MS) */
  env?: Record<string, string>;
}

/**
 * The web view is on by default (127.0.0.1:6444); tests that do not ask for it leave it off, so that
 * parallel servers do not race for its port or make its key on every fresh data dir.
 */
const uiOff = (args: string[] | undefined): string[] => (args?.includes('--ui-listen') ? [] : ['--ui-listen', 'none']);

export async function startTandem(opts: StartOptions = {}): Promise<TandemProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tandem-e2e-'));
  const home = mkdtempSync(join(tmpdir(), 'tandem-home-'));
  const proc = spawn(
    process.execPath,
    [TANDEM, opts.command ?? 'server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', ...uiOff(opts.args), ...(opts.args ?? [])],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: home, ...opts.env },
    },
  );
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  proc.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const url = await new Promise<string>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`tandem did not become ready in 30 s:\n${out}`)), 30_000);
    const check = () => {
      const m = /ready in \d+ ms at (https:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(t);
        proc.stdout!.off('data', check);
        res(m[1]!);
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(t);
      rej(new Error(`tandem exited with ${code}:\n${out}`));
    });
  });
  const port = Number(new URL(url).port);
  const kubeconfig = join(dataDir, 'kubeconfig');
  const baseEnv = (extra?: Record<string, string>) => ({ ...process.env, HOME: home, KUBECONFIG: kubeconfig, ...extra });
  const waitExit = (signal: NodeJS.Signals) =>
    new Promise<void>((res) => {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        res();
        return;
      }
      proc.once('exit', () => res());
      proc.kill(signal);
    });
  return {
    url,
    port,
    dataDir,
    kubeconfig,
    home,
    proc,
    output: () => out,
    kubectl(args, o = {}) {
      const r = spawnSync(KUBECTL, args, { input: o.input, env: baseEnv(o.env), encoding: 'utf8', timeout: o.timeoutMs ?? 60_000 });
      return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
    kubectlAsync(args, o = {}) {
      return spawn(KUBECTL, args, { env: baseEnv(o.env), stdio: ['ignore', 'pipe', 'pipe'] });
    },
    async stop() {
      await waitExit('SIGTERM');
      if (!opts.keepDataDir) removeTree(dataDir);
      rmSync(home, { recursive: true, force: true });
    },
    async kill() {
      await waitExit('SIGKILL');
    },
    token: () => readFileSync(join(dataDir, 'pki', 'admin.token'), 'utf8').trim(),
    caPem: () => readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8'),
  };
}
