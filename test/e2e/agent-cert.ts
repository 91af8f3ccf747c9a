// A serving certificate from the cluster CA for a `tandem agent` started by a test (passed with
// --tls-cert-file/--tls-private-key-file): the API server only talks to agents whose certificate
// verifies against the cluster CA for the address their Node names. The test reads the server's
// DATA/pki/ca.key, as an operator could; a joined node gets its certificate through a CSR instead.
// Synchronous (it runs itself in a child) so that agent starters can stay synchronous.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Job {
  serverDataDir: string;
  nodeName: string;
  hosts: string[];
  outDir: string;
}

/** This host's names and addresses (what a `tandem agent` here puts in its Node status). */
function localHosts(): string[] {
  const ips = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4')
    .map((a) => a!.address);
  return ['localhost', hostname(), ...ips];
}

/** Writes agent.crt and agent.key under `outDir` and returns their paths. */
export function agentServingCert(
  serverDataDir: string,
  nodeName: string,
  outDir: string,
  hosts = localHosts(),
): { certFile: string; keyFile: string } {
  const job: Job = { serverDataDir, nodeName, hosts, outDir };
  execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--issue', JSON.stringify(job)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { certFile: join(outDir, 'agent.crt'), keyFile: join(outDir, 'agent.key') };
}

async function issue(job: Job): Promise<void> {
  const { signCertificateRequest } = await import('../../src/pki/index.js');
  const { makeCsr } = await import('../../src/pki/testing/make-csr.js');
  const { isIP } = await import('node:net');
  const ca = {
    certPem: readFileSync(join(job.serverDataDir, 'pki', 'ca.crt'), 'utf8'),
    keyPem: readFileSync(join(job.serverDataDir, 'pki', 'ca.key'), 'utf8'),
  };
  const req = await makeCsr({
    cn: `system:node:${job.nodeName}`,
    o: ['system:nodes'],
    ips: job.hosts.filter((h) => isIP(h)),
    dns: [...new Set([job.nodeName, ...job.hosts.filter((h) => !isIP(h))])],
  });
  const cert = await signCertificateRequest({
    ca,
    csrPem: req.csrPem,
    usages: ['digital signature', 'server auth'],
    durationMs: 86400_000,
    backdateMs: 300_000,
  });
  mkdirSync(job.outDir, { recursive: true });
  writeFileSync(join(job.outDir, 'agent.crt'), cert);
  writeFileSync(join(job.outDir, 'agent.key'), req.keyPem, { mode: 0o600 });
}

if (process.argv[2] === '--issue' && process.argv[3]) await issue(JSON.parse(process.argv[3]) as Job);
