// Client certificates the server issues to itself from the cluster CA (the API server's identity
// towards node agents, DATA/pki/kubelet-client.crt), kept like the serving certificate: made on the
// first start, reused while valid, reissued when missing, not the CA's, for another subject, or
// within `renewBeforeDays` of expiry. Also the signing of certificate requests for the CSR signer.

import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { tightenMode, writeFileAtomic } from '../base/fs-atomic.js';
import { generateInChild } from './pki-child.js';
import { keyMatches, PkiError, readOptional } from './pki.js';
import type { PemPair } from './pki-generate.js';

const DAY_MS = 24 * 60 * 60 * 1000;

interface ClientCertOptions {
  /** file name stem in DATA/pki: `kubelet-client` gives kubelet-client.crt and kubelet-client.key */
  name: string;
  commonName: string;
  organizations?: string[];
  /** the cluster CA (its key is needed only when a certificate must be made) */
  ca: { certPem: string; keyPem?: string | undefined };
  days?: number;
  renewBeforeDays?: number;
}

interface ClientCert extends PemPair {
  generated: boolean;
}

function problem(ca: X509Certificate, certPem: string, keyPem: string, o: ClientCertOptions, renewMs: number): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return 'unreadable';
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'not issued by the CA';
  if (!keyMatches(cert, keyPem)) return 'key does not match';
  const subject = cert.subject.split('\n');
  if (!subject.includes(`CN=${o.commonName}`)) return 'another subject';
  if (Date.parse(cert.validTo) - Date.now() < renewMs) return 'expires soon';
  return undefined;
}

export async function ensureClientCert(dataDir: string, o: ClientCertOptions): Promise<ClientCert> {
  const dir = join(dataDir, 'pki');
  const certPath = join(dir, `${o.name}.crt`);
  const keyPath = join(dir, `${o.name}.key`);
  const [certPem, keyPem] = await Promise.all([readOptional(certPath), readOptional(keyPath)]);
  const ca = new X509Certificate(o.ca.certPem);
  const why =
    certPem !== undefined && keyPem !== undefined ? problem(ca, certPem, keyPem, o, (o.renewBeforeDays ?? 30) * DAY_MS) : 'missing';
  if (why === undefined && certPem !== undefined && keyPem !== undefined) {
    await tightenMode(keyPath, 0o600);
    return { certPem, keyPem, generated: false };
  }
  if (!o.ca.keyPem) throw new PkiError(`the client certificate ${certPath} must be (re)issued (${why}) but the CA key is missing`);
  const pair = await generateInChild({
    op: 'client',
    req: {
      ca: { certPem: o.ca.certPem, keyPem: o.ca.keyPem },
      commonName: o.commonName,
      organizations: o.organizations ?? [],
      days: o.days ?? 365,
    },
  });
  await writeFileAtomic(keyPath, pair.keyPem, 0o600);
  await writeFileAtomic(certPath, pair.certPem, 0o644);
  return { ...pair, generated: true };
}

/** Signs a PKCS#10 request with the CA (in the generation child): the certificate, PEM. */
export async function signCertificateRequest(req: {
  ca: PemPair;
  csrPem: string;
  usages: string[];
  durationMs: number;
  backdateMs: number;
}): Promise<string> {
  const pair = await generateInChild({ op: 'sign-csr', req });
  return pair.certPem;
}
