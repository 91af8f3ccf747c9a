// Test support: PKCS#10 requests of any shape (subject, SANs, key type), made with @peculiar/x509,
// for tests of CSR validation, the approver and the signer.

import type { webcrypto } from 'node:crypto';
import 'reflect-metadata';

const x509 = await import('@peculiar/x509');
x509.cryptoProvider.set(globalThis.crypto);

export interface CsrShape {
  cn: string;
  o?: string[];
  dns?: string[];
  ips?: string[];
  emails?: string[];
  uris?: string[];
  key?: 'ec' | 'rsa' | 'ed25519';
}

const ALGS = {
  ec: { gen: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } },
  rsa: {
    gen: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    sign: { name: 'RSASSA-PKCS1-v1_5' },
  },
  ed25519: { gen: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
} as const;

/** A CSR (PEM) and its private key (PKCS#8 PEM). */
export async function makeCsr(s: CsrShape): Promise<{ csrPem: string; keyPem: string }> {
  const alg = ALGS[s.key ?? 'ec'];
  const keys = (await globalThis.crypto.subtle.generateKey(alg.gen, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const sans = [
    ...(s.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(s.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
    ...(s.emails ?? []).map((value) => ({ type: 'email' as const, value })),
    ...(s.uris ?? []).map((value) => ({ type: 'url' as const, value })),
  ];
  const name = [...(s.o ?? []).map((o) => ({ O: [o] })), { CN: [s.cn] }];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys,
    signingAlgorithm: alg.sign,
    extensions: sans.length > 0 ? [new x509.SubjectAlternativeNameExtension(sans)] : [],
  });
  const der = await globalThis.crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { csrPem: csr.toString('pem'), keyPem: x509.PemConverter.encode(der, 'PRIVATE KEY') };
}

/** A CSR object body for the API (spec.request base64 of the PEM). */
export function csrObject(name: string, csrPem: string, signerName: string, usages: string[], extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: Buffer.from(csrPem).toString('base64'), signerName, usages, ...extra },
  };
}
