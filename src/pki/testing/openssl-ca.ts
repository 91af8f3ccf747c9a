// A throwaway CA driven by the openssl CLI, for tests that need certificates signed the way a
// cluster signs them (client certificates from CSRs, serving certificates with SANs) without the
// code under test doing the signing.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  certPem: string;
  keyPem: string;
  /** signs a PEM CSR; `ext` is an openssl extension section body (e.g. extendedKeyUsage=clientAuth) */
  sign(csrPem: string, opts?: { days?: number; ext?: string; startDate?: string; endDate?: string }): string;
  /** a fresh key and a certificate for it (openssl req + sign) */
  issue(subject: string, opts?: { ext?: string; days?: number }): { cert: string; key: string };
  dispose(): void;
}

export function createTestCa(commonName = 'test-ca'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-testca-'));
  const run = (args: string[], input?: string) =>
    execFileSync('openssl', args, { cwd: dir, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key']);
  run([
    'req',
    '-x509',
    '-new',
    '-key',
    'ca.key',
    '-subj',
    `/CN=${commonName}`,
    '-days',
    '30',
    '-out',
    'ca.crt',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  let n = 0;
  const sign: TestCa['sign'] = (csrPem, o = {}) => {
    const i = n++;
    writeFileSync(join(dir, `r${i}.csr`), csrPem);
    writeFileSync(join(dir, `r${i}.ext`), `${o.ext ?? 'extendedKeyUsage=clientAuth'}\n`);
    const args = [
      'x509',
      '-req',
      '-in',
      `r${i}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-extfile',
      `r${i}.ext`,
      '-out',
      `r${i}.crt`,
    ];
    args.push('-days', String(o.days ?? 1));
    run(args);
    return readFileSync(join(dir, `r${i}.crt`), 'utf8');
  };
  return {
    certPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    keyPem: readFileSync(join(dir, 'ca.key'), 'utf8'),
    sign,
    issue(subject, o = {}) {
      const i = n++;
      run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `k${i}.key`]);
      run(['pkcs8', '-topk8', '-nocrypt', '-in', `k${i}.key`, '-out', `k${i}.p8`]);
      const csr = run(['req', '-new', '-key', `k${i}.p8`, '-subj', subject]);
      return { cert: sign(csr, o), key: readFileSync(join(dir, `k${i}.p8`), 'utf8') };
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
