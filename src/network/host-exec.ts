// Running the host tools the network components need (nft, conntrack, sysctl, ip, bridge),
// optionally behind a command prefix such as `ip netns exec NS`, so tests and benchmarks program a
// throwaway network namespace and never the host. Shared by the service proxy and the pod network.

import { spawn } from 'node:child_process';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `argv` (after `prefix`) with `input` on stdin; never throws for a non-zero exit, only when it cannot start. */
export function run(prefix: readonly string[], argv: readonly string[], input?: string): Promise<ExecResult> {
  const all = [...prefix, ...argv];
  return new Promise((resolve, reject) => {
    const child = spawn(all[0]!, all.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => {}); // the tool may exit before reading everything; its exit code tells
    child.stdin.end(input ?? '');
  });
}

/** True when `argv` starts and exits 0. */
export async function works(prefix: readonly string[], argv: readonly string[]): Promise<boolean> {
  try {
    return (await run(prefix, argv)).code === 0;
  } catch {
    return false;
  }
}
