// When an old CertificateSigningRequest goes (upstream's CSR cleaner): issued and approved over an
// hour ago, denied or failed over an hour ago, pending for a day, or its certificate has expired.

import { X509Certificate } from 'node:crypto';
import type { CertificateSigningRequest } from '../../api/gen/types.js';

const HOUR = 3600 * 1000;
const APPROVED_EXPIRATION = HOUR;
const DENIED_EXPIRATION = HOUR;
const PENDING_EXPIRATION = 24 * HOUR;

const when = (t: string | null | undefined) => (t ? Date.parse(t) : NaN);

function certificateExpired(b64: string, now: number): boolean {
  try {
    return Date.parse(new X509Certificate(Buffer.from(b64, 'base64')).validTo) < now;
  } catch {
    return false;
  }
}

/** Why the CSR should be deleted now, or undefined. */
export function expiredBecause(csr: CertificateSigningRequest, now: number): string | undefined {
  const conds = csr.status?.conditions ?? [];
  const cond = (t: string) => conds.find((c) => c.type === t && c.status === 'True');
  const past = (c: (typeof conds)[number] | undefined, ttl: number) =>
    c !== undefined && when(c.lastUpdateTime ?? c.lastTransitionTime ?? csr.metadata.creationTimestamp) + ttl < now;
  const cert = csr.status?.certificate;
  if (cert && certificateExpired(cert, now)) return 'its certificate has expired';
  if (cert && past(cond('Approved'), APPROVED_EXPIRATION)) return 'issued more than an hour ago';
  if (past(cond('Denied'), DENIED_EXPIRATION)) return 'denied more than an hour ago';
  if (past(cond('Failed'), DENIED_EXPIRATION)) return 'failed more than an hour ago';
  if (!cond('Approved') && !cond('Denied') && when(csr.metadata.creationTimestamp) + PENDING_EXPIRATION < now)
    return 'pending for more than 24 hours';
  return undefined;
}
