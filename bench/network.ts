// Bench phase `network` (issue 12): the cluster DNS server, the nftables service proxy and the
// userspace service proxy, each measured by its own script in a child process (each needs its own
// processes: a DNS server apart from its client, proxies in network namespaces) whose table is copied
// into the report. The kernel proxy's script needs root and nft; it says so when it cannot run.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { wanted } from './cluster-phases.js';

const SCRIPTS = [
  ['dns', 'cluster DNS queries/s (cluster names; cached forwarded names)'],
  ['proxy', 'nftables service proxy: rule programming, TCP and UDP through a ClusterIP vs direct'],
  ['userspace-proxy', 'userspace service proxy: TCP and UDP through it vs direct'],
  ['service-connect', 'Service create → first connection through its ClusterIP'],
] as const;

function runScript(name: string, log: (s: string) => void): Promise<string> {
  const file = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => log(c.toString().trimEnd()));
    child.once('exit', (code) => resolve(code === 0 ? out : `${out}\n(${name} exited with ${code ?? 'a signal'})\n`));
  });
}

/** `npm run bench` phase `network` (BENCH_ONLY=network runs it alone). */
export async function runNetworkPhase(): Promise<void> {
  if (!wanted('network')) return;
  const log = (s: string) => process.stderr.write(`[bench] network: ${s}\n`);
  for (const [name, what] of SCRIPTS) {
    log(`${what}…`);
    process.stdout.write(`\nNetwork (issue 12): ${what}\n${await runScript(name, log)}`);
  }
}
