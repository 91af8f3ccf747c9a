// Certificate generation with @peculiar/x509 over Node's WebCrypto (ECDSA P-256, SHA-256).
// Run by pki-child.ts in a short-lived child process, so that no long-running process keeps it loaded.

import { randomBytes, type webcrypto as WebCrypto } from 'node:crypto';
import { isIP } from 'node:net';
import 'reflect-metadata';

const x509 = await import('@peculiar/x509');
const webcrypto = globalThis.crypto;
x509.cryptoProvider.set(webcrypto);

const KEY_ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN_ALG = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Backdating tolerates clocks on agents that run a little behind the server's. */
const BACKDATE_MS = 60 * 60 * 1000;

export interface PemPair {
  certPem: string;
  keyPem: string;
}

export interface ServingCertRequest {
  ca: PemPair;
  hosts: string[];
  days: number;
  commonName: string;
}

/** A positive serial of 16 random bytes whose first byte is non-zero and below 0x80 (minimal, positive DER). */
function serialNumber(): string {
  const b = randomBytes(16);
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x40;
  return b.toString('hex');
}

export async function newKeyPair(): Promise<WebCrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALG, true, ['sign', 'verify']);
}

export async function privateKeyPem(key: WebCrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importPrivateKey(pem: string): Promise<WebCrypto.CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(pem), KEY_ALG, false, ['sign']);
}

/** A self-signed CA: basicConstraints CA (critical), keyCertSign + cRLSign. */
export async function generateCa(commonName: string, years: number): Promise<PemPair> {
  const keys = await newKeyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${commonName}`,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + years * 365 * DAY_MS),
    signingAlgorithm: SIGN_ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

/** A serving certificate signed by `ca`: serverAuth EKU, DNS and IP SANs; never outlives the CA. */
export async function generateServingCert(req: ServingCertRequest): Promise<PemPair> {
  const caCert = new x509.X509Certificate(req.ca.certPem);
  const caKey = await importPrivateKey(req.ca.keyPem);
  const keys = await newKeyPair();
  const now = Date.now();
  const wanted = now + req.days * DAY_MS;
  const notAfter = new Date(Math.min(wanted, caCert.notAfter.getTime()));
  const caSki = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  const aki = caSki
    ? new x509.AuthorityKeyIdentifierExtension(caSki.keyId)
    : await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey);
  const sans = req.hosts.map((h) => ({ type: isIP(h) ? ('ip' as const) : ('dns' as const), value: h }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${req.commonName}`,
    issuer: caCert.subjectName,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter,
    signingAlgorithm: SIGN_ALG,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(sans),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      aki,
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

export interface ClientCertRequest {
  ca: PemPair;
  commonName: string;
  organizations: string[];
  days: number;
}

/** A client certificate signed by `ca`: clientAuth EKU, subject CN and O; never outlives the CA. */
export async function generateClientCert(req: ClientCertRequest): Promise<PemPair> {
  const caCert = new x509.X509Certificate(req.ca.certPem);
  const caKey = await importPrivateKey(req.ca.keyPem);
  const keys = await newKeyPair();
  const now = Date.now();
  const notAfter = new Date(Math.min(now + req.days * DAY_MS, caCert.notAfter.getTime()));
  const subject = [...req.organizations.map((o) => ({ O: [o] })), { CN: [req.commonName] }];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject,
    issuer: caCert.subjectName,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter,
    signingAlgorithm: SIGN_ALG,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

export interface CsrSigningRequest {
  ca: PemPair;
  /** the PKCS#10 request, PEM */
  csrPem: string;
  /** certificates.k8s.io key usages ("digital signature", "client auth", ...) */
  usages: string[];
  /** the wanted lifetime; capped at the CA's own expiry */
  durationMs: number;
  /** how far notBefore is set back (upstream: 5 minutes) */
  backdateMs: number;
}

const KEY_USAGE_BITS: Readonly<Record<string, number>> = {
  signing: x509.KeyUsageFlags.digitalSignature,
  'digital signature': x509.KeyUsageFlags.digitalSignature,
  'content commitment': x509.KeyUsageFlags.nonRepudiation,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment,
  'key agreement': x509.KeyUsageFlags.keyAgreement,
  'data encipherment': x509.KeyUsageFlags.dataEncipherment,
  'cert sign': x509.KeyUsageFlags.keyCertSign,
  'crl sign': x509.KeyUsageFlags.cRLSign,
  'encipher only': x509.KeyUsageFlags.encipherOnly,
  'decipher only': x509.KeyUsageFlags.decipherOnly,
};

const EXT_KEY_USAGES: Readonly<Record<string, string>> = {
  any: '2.5.29.37.0',
  'server auth': '1.3.6.1.5.5.7.3.1',
  'client auth': '1.3.6.1.5.5.7.3.2',
  'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4',
  's/mime': '1.3.6.1.5.5.7.3.4',
  'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7',
  timestamping: '1.3.6.1.5.5.7.3.8',
  'ocsp signing': '1.3.6.1.5.5.7.3.9',
  'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
};

/**
 * A certificate for a CSR's public key, signed by `ca`: the request's subject and subject
 * alternative names, the key usages and extended key usages asked for, never a CA.
 */
export async function signCsr(req: CsrSigningRequest): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(req.csrPem);
  if (!(await csr.verify())) throw new Error('the certificate request signature does not verify');
  const caCert = new x509.X509Certificate(req.ca.certPem);
  const caKey = await importPrivateKey(req.ca.keyPem);
  const now = Date.now();
  const notAfter = new Date(Math.min(now + req.durationMs, caCert.notAfter.getTime()));
  let bits = 0;
  const ekus = new Set<string>();
  for (const u of req.usages) {
    bits |= KEY_USAGE_BITS[u] ?? 0;
    const e = EXT_KEY_USAGES[u];
    if (e) ekus.add(e);
  }
  const extensions: InstanceType<typeof x509.Extension>[] = [new x509.BasicConstraintsExtension(false, undefined, true)];
  if (bits !== 0) extensions.push(new x509.KeyUsagesExtension(bits, true));
  if (ekus.size > 0) extensions.push(new x509.ExtendedKeyUsageExtension([...ekus]));
  const san = csr.extensions.find((e) => e.type === '2.5.29.17');
  if (san) extensions.push(new x509.Extension(san.type, false, san.value));
  extensions.push(await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: csr.subjectName,
    issuer: caCert.subjectName,
    notBefore: new Date(now - req.backdateMs),
    notAfter,
    signingAlgorithm: SIGN_ALG,
    publicKey: csr.publicKey,
    signingKey: caKey,
    extensions,
  });
  return cert.toString('pem');
}
