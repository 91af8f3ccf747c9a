// Test support: client certificates (clientAuth usage, CN = user, O = groups) signed by a test CA,
// as the cluster CA signs the API server's kubelet-client certificate and nodes' certificates.

import { randomBytes } from 'node:crypto';
import 'reflect-metadata';
import type { PemPair } from '../../../pki/pki-generate.js';

const x509 = await import('@peculiar/x509');
x509.cryptoProvider.set(globalThis.crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

export async function generateClientCert(
  ca: PemPair,
  user: string,
  groups: string[] = [],
  usage: 'client' | 'server' = 'client',
): Promise<PemPair> {
  const subtle = globalThis.crypto.subtle;
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(ca.keyPem), ALG, false, ['sign']);
  const keys = await subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const esc = (v: string) => v.replace(/([,+"\\<>;=])/g, '\\$1');
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: `41${randomBytes(15).toString('hex')}`,
    subject: [`CN=${esc(user)}`, ...groups.map((g) => `O=${esc(g)}`)].join(', '),
    issuer: caCert.subjectName,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 24 * 3600_000),
    signingAlgorithm: SIGN,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([usage === 'client' ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  const der = await subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem'), keyPem: x509.PemConverter.encode(der, 'PRIVATE KEY') };
}
