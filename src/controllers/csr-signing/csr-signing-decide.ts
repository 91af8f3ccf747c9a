// What the CSR signer does with one request: nothing (not approved, denied, failed, issued, or not
// one of this cluster's signers), fail it (the request breaks its signer's rules), or sign it for
// min(expirationSeconds, the signing duration).

import type { CertificateSigningRequest } from '../../api/gen/types.js';
import { parseCsr } from '../../api/kinds/certificates/csr-request.js';
import { pemOf } from '../../api/kinds/certificates/csr.js';
import {
  signerProblem,
  SIGNER_APISERVER_CLIENT,
  SIGNER_KUBELET_CLIENT,
  SIGNER_KUBELET_SERVING,
} from '../../api/kinds/certificates/signers.js';

const SIGNERS: readonly string[] = [SIGNER_KUBELET_CLIENT, SIGNER_KUBELET_SERVING, SIGNER_APISERVER_CLIENT];

/** upstream's --cluster-signing-duration default: one year */
export const DEFAULT_SIGNING_DURATION_MS = 365 * 24 * 3600 * 1000;

export type SigningDecision =
  | { action: 'skip'; why: string }
  | { action: 'fail'; message: string }
  | { action: 'sign'; csrPem: string; usages: string[]; durationMs: number };

export function decideSigning(csr: CertificateSigningRequest, maxDurationMs = DEFAULT_SIGNING_DURATION_MS): SigningDecision {
  const conds = csr.status?.conditions ?? [];
  const has = (t: string) => conds.some((c) => c.type === t && c.status === 'True');
  if (!SIGNERS.includes(csr.spec.signerName)) return { action: 'skip', why: 'another signer' };
  if (!has('Approved')) return { action: 'skip', why: 'not approved' };
  if (has('Denied')) return { action: 'skip', why: 'denied' };
  if (has('Failed')) return { action: 'skip', why: 'failed' };
  if (csr.status?.certificate) return { action: 'skip', why: 'issued' };
  const pem = pemOf(csr.spec.request);
  if (pem === undefined) return { action: 'fail', message: 'spec.request is not base64-encoded PEM' };
  let req: ReturnType<typeof parseCsr>;
  try {
    req = parseCsr(pem);
  } catch (e) {
    return { action: 'fail', message: `unable to parse csr: ${e instanceof Error ? e.message : String(e)}` };
  }
  const usages = csr.spec.usages ?? [];
  const problem = signerProblem(csr.spec.signerName, req, usages);
  if (problem) return { action: 'fail', message: problem.detail };
  const asked = csr.spec.expirationSeconds != null ? csr.spec.expirationSeconds * 1000 : Infinity;
  return { action: 'sign', csrPem: pem, usages, durationMs: Math.min(asked, maxDurationMs) };
}
