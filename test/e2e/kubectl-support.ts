// Shared helpers for the kubectl end-to-end tests: one tandem server per test file, kubectl runs
// that assert on exit codes, and small readers for JSON output.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import type { TestContext } from 'node:test';
import { KUBECTL, kubectlAvailable, startTandem, type RunResult, type TandemProcess } from './harness.js';

export const SKIP_MESSAGE = `kubectl not found at ${KUBECTL}: skipping the kubectl end-to-end tests`;

export interface KubectlSession {
  srv(): TandemProcess;
  /** Runs kubectl and asserts the exit code (0 unless given). */
  ok(args: string[], opts?: { input?: string; env?: Record<string, string>; timeoutMs?: number }): RunResult;
  /** Runs kubectl and asserts it failed with `code` (default 1). */
  fails(args: string[], opts?: { input?: string; env?: Record<string, string>; code?: number; timeoutMs?: number }): RunResult;
  /** `kubectl get ... -o json`, parsed. */
  json(args: string[]): Record<string, unknown>;
  /** Wraps a test body so it is skipped (with a message) when kubectl is missing. */
  run(fn: (t: TestContext) => Promise<void> | void): (t: TestContext) => Promise<void>;
}

const show = (r: RunResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

export function createKubectlSession(): KubectlSession & { start(): Promise<void>; stop(): Promise<void> } {
  let server: TandemProcess | undefined;
  const srv = () => {
    if (!server) throw new Error('tandem server not started');
    return server;
  };
  const ok: KubectlSession['ok'] = (args, opts) => {
    const r = srv().kubectl(args, opts);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} should succeed\n${show(r)}`);
    return r;
  };
  const fails: KubectlSession['fails'] = (args, opts = {}) => {
    const r = srv().kubectl(args, opts);
    assert.equal(r.code, opts.code ?? 1, `kubectl ${args.join(' ')} should fail with ${opts.code ?? 1}\n${show(r)}`);
    return r;
  };
  return {
    srv,
    ok,
    fails,
    json(args) {
      const r = ok([...args, '-o', 'json']);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    },
    run(fn) {
      return async (t) => {
        if (!kubectlAvailable()) {
          t.skip(SKIP_MESSAGE);
          return;
        }
        await fn(t);
      };
    },
    async start() {
      if (kubectlAvailable()) server = await startTandem();
    },
    async stop() {
      if (server) await server.stop();
      server = undefined;
    },
  };
}

/** Reads a nested value: at(obj, 'spec', 'template', 'spec', 'containers', 0, 'image'). */
export function at(v: unknown, ...path: (string | number)[]): unknown {
  let cur = v;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

/** The whitespace-separated cells of each non-empty line. */
export function rows(out: string): string[][] {
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s+/));
}

/** The row whose cell `col` equals `value`. */
export function rowWhere(out: string, col: number, value: string): string[] | undefined {
  return rows(out).find((r) => r[col] === value);
}

/** The ConfigMap upstream publishes in every namespace; lists ignore it so the tests hold with or without it. */
export const SYSTEM_CM = 'kube-root-ca.crt';

/** Output lines without the system ConfigMap. */
export function withoutSystem(lines: string[]): string[] {
  return lines.filter((l) => !l.includes(SYSTEM_CM));
}

export const AGE = /^(\d+s|\d+m\d*s?|\d+h\d*m?|\d+d\d*h?|\d+y\d*d?|<unknown>)$/;

/** Collects the output of a running kubectl (e.g. `get -w`). */
export function collect(child: ChildProcess): { out(): string; err(): string; stop(): Promise<void> } {
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const closed = new Promise<void>((res) => {
    if (child.exitCode !== null || child.signalCode !== null) res();
    else child.once('close', () => res());
  });
  return {
    out: () => out,
    err: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await closed;
    },
  };
}

/** Polls `check` every 200 ms until it returns true or `ms` pass. */
export async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}
