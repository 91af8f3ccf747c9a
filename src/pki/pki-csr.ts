// A private key and a PKCS#10 certificate request made on the node that will hold the key (a
// node's join and its certificate renewals): the key is written only on this host, the request
// alone travels to the API server. Run by pki-child.ts, like the rest of @peculiar/x509's work.

import { isIP } from 'node:net';
import 'reflect-metadata';
import { newKeyPair, privateKeyPem } from './pki-generate.js';

const x509 = await import('@peculiar/x509');

export interface CsrRequest {
  commonName: string;
  /** the subject's O= values (e.g. system:nodes) */
  organizations: string[];
  /** DNS names and IP addresses for a subjectAltName extension request (serving certificates); none for client ones */
  hosts?: string[];
}

export interface CsrPair {
  csrPem: string;
  keyPem: string;
}

/** An ECDSA P-256 key and a CSR signed with it (SHA-256), the subject CN=commonName, O=organizations. */
export async function generateCsr(req: CsrRequest): Promise<CsrPair> {
  const keys = await newKeyPair();
  const name: Array<Record<string, string[]>> = [{ CN: [req.commonName] }];
  if (req.organizations.length > 0) name.push({ O: req.organizations });
  const hosts = req.hosts ?? [];
  const sans = hosts.map((h) => ({ type: isIP(h) ? ('ip' as const) : ('dns' as const), value: h }));
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: sans.length > 0 ? [new x509.SubjectAlternativeNameExtension(sans)] : [],
  });
  return { csrPem: csr.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}
