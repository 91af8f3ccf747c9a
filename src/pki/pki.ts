// The cluster's PKI in DATA/pki: a self-signed CA and a serving certificate for the API server.
// First start generates both; later starts only read and check files (well under a millisecond of
// crypto), and replace the serving certificate when it no longer covers the requested hosts, is
// close to expiry, or does not belong to the CA. The CA is never replaced once it exists.

import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { isErrno, tightenMode, writeFileAtomic } from '../base/fs-atomic.js';
import { generateInChild } from './pki-child.js';

const CA_COMMON_NAME = 'tandem-ca';
const SERVER_COMMON_NAME = 'tandem-apiserver';
const DAY_MS = 24 * 60 * 60 * 1000;
const KEY_MODE = 0o600;
const CERT_MODE = 0o644;

export interface PkiOptions {
  /** DNS names and IP addresses the serving certificate must cover, e.g. ['localhost', '127.0.0.1', os.hostname()]. */
  hosts: string[];
  /** Lifetime of a newly issued serving certificate (default 365). */
  serverCertDays?: number;
  /** Replace the serving certificate when it expires within this many days (default 30). */
  renewBeforeDays?: number;
  /** Lifetime of a newly created CA (default 10). */
  caYears?: number;
}

export interface PkiMaterial {
  caCertPem: string;
  /** Absent when DATA/pki/ca.key has been removed (kept offline); the serving cert can then not be renewed. */
  caKeyPem?: string;
  certPem: string;
  keyPem: string;
  /** What this call created: useful for a log line. */
  generated: { ca: boolean; server: boolean };
}

export interface PkiPaths {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
}

export class PkiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PkiError';
  }
}

export function pkiPaths(dataDir: string): PkiPaths {
  const dir = join(dataDir, 'pki');
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
  };
}

/** Trimmed, de-duplicated hosts; DNS names lower-cased. */
function normalizeHosts(hosts: string[]): string[] {
  const out = new Set<string>();
  for (const raw of hosts) {
    const h = raw.trim();
    if (h === '') continue;
    out.add(isIP(h) ? h : h.toLowerCase());
  }
  return [...out];
}

export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return undefined;
    throw e;
  }
}

function parseCert(pem: string, path: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (e) {
    throw new PkiError(`${path} is not a PEM certificate: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function keyMatches(cert: X509Certificate, keyPem: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** Why an existing serving certificate cannot be reused, or undefined when it can (the API server's and the web view's). */
export function servingCertProblem(
  ca: X509Certificate,
  certPem: string,
  keyPem: string,
  hosts: string[],
  renewBeforeDays: number,
  now = Date.now(),
): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return 'unreadable';
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'not issued by the CA';
  if (!keyMatches(cert, keyPem)) return 'key does not match';
  if (Date.parse(cert.validFrom) > now + DAY_MS) return 'not yet valid';
  if (Date.parse(cert.validTo) - now < renewBeforeDays * DAY_MS) return 'expires soon';
  const missing = hosts.filter((h) => (isIP(h) ? cert.checkIP(h) : cert.checkHost(h, { subject: 'never' })) === undefined);
  if (missing.length > 0) return `does not cover ${missing.join(', ')}`;
  return undefined;
}

export async function ensurePki(dataDir: string, opts: PkiOptions): Promise<PkiMaterial> {
  const hosts = normalizeHosts(opts.hosts);
  if (hosts.length === 0) throw new PkiError('the serving certificate needs at least one host name or IP address');
  const renewBeforeDays = opts.renewBeforeDays ?? 30;
  const serverCertDays = opts.serverCertDays ?? 365;
  const p = pkiPaths(dataDir);
  await mkdir(p.dir, { recursive: true, mode: 0o700 });

  let [caCertPem, caKeyPem, certPem, keyPem] = await Promise.all([p.caCert, p.caKey, p.serverCert, p.serverKey].map(readOptional));
  const generated = { ca: false, server: false };

  let ca: X509Certificate;
  if (caCertPem === undefined) {
    const pair = await generateInChild({ op: 'ca', commonName: CA_COMMON_NAME, years: opts.caYears ?? 10 });
    await writeFileAtomic(p.caKey, pair.keyPem, KEY_MODE);
    await writeFileAtomic(p.caCert, pair.certPem, CERT_MODE);
    caCertPem = pair.certPem;
    caKeyPem = pair.keyPem;
    certPem = keyPem = undefined;
    ca = parseCert(caCertPem, p.caCert);
    generated.ca = true;
  } else {
    ca = parseCert(caCertPem, p.caCert);
    if (caKeyPem !== undefined) {
      if (!keyMatches(ca, caKeyPem)) throw new PkiError(`${p.caKey} does not belong to ${p.caCert}`);
      await tightenMode(p.caKey, KEY_MODE);
    }
  }

  const problem =
    certPem !== undefined && keyPem !== undefined ? servingCertProblem(ca, certPem, keyPem, hosts, renewBeforeDays) : 'missing';
  if (problem === undefined && certPem !== undefined && keyPem !== undefined) {
    await tightenMode(p.serverKey, KEY_MODE);
    return { caCertPem, ...(caKeyPem !== undefined ? { caKeyPem } : {}), certPem, keyPem, generated };
  }
  if (caKeyPem === undefined) {
    throw new PkiError(`the serving certificate ${p.serverCert} must be renewed (${problem}) but the CA key ${p.caKey} is missing`);
  }
  const pair = await generateInChild({
    op: 'serving',
    req: { ca: { certPem: caCertPem, keyPem: caKeyPem }, hosts, days: serverCertDays, commonName: SERVER_COMMON_NAME },
  });
  await writeFileAtomic(p.serverKey, pair.keyPem, KEY_MODE);
  await writeFileAtomic(p.serverCert, pair.certPem, CERT_MODE);
  generated.server = true;
  return { caCertPem, caKeyPem, certPem: pair.certPem, keyPem: pair.keyPem, generated };
}
