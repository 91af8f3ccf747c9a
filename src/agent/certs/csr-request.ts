// Asks the cluster for a certificate: creates a certificates.k8s.io/v1 CertificateSigningRequest and
// waits until it is approved and signed (status.certificate), denied or failed, or until the wait
// runs out, saying then who has to approve it. Used by the join (as the bootstrap token's user) and
// by the agent's renewals (as the node itself).

import { randomBytes } from 'node:crypto';
import type { CertificateSigningRequest } from '../../api/gen/types.js';
import { isStatusError } from '../../base/errors.js';
import type { RestClient } from '../../client/rest-client.js';
import type { ResourceRef } from '../../client/paths.js';

const CSR_RESOURCE: ResourceRef = { group: 'certificates.k8s.io', version: 'v1', plural: 'certificatesigningrequests', namespaced: false };

export const SIGNER_CLIENT_KUBELET = 'kubernetes.io/kube-apiserver-client-kubelet';
export const SIGNER_KUBELET_SERVING = 'kubernetes.io/kubelet-serving';

export interface CertificateRequest {
  /** PEM of the PKCS#10 request */
  csrPem: string;
  signerName: string;
  usages: string[];
  /** the object's name is this prefix and a random suffix (upstream's kubelet: node-csr-, csr-) */
  namePrefix: string;
  /** how long to wait for the certificate (default 5 minutes) */
  timeoutMs?: number;
  pollMs?: number;
  /** told once the request exists, with its name (a progress line) */
  onCreated?: (name: string) => void;
}

/** The request was answered with Denied or Failed, or never answered in time. */
export class CertificateRequestError extends Error {
  constructor(
    message: string,
    readonly csrName: string,
  ) {
    super(message);
    this.name = 'CertificateRequestError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Why a CSR's conditions say it will never be signed, or undefined. */
function refusal(csr: CertificateSigningRequest): string | undefined {
  for (const c of csr.status?.conditions ?? []) {
    if ((c.type === 'Denied' || c.type === 'Failed') && c.status !== 'False') {
      const why = [c.reason, c.message].filter(Boolean).join(': ');
      return `${c.type.toLowerCase()}${why ? ` (${why})` : ''}`;
    }
  }
  return undefined;
}

const approved = (csr: CertificateSigningRequest) =>
  (csr.status?.conditions ?? []).some((c) => c.type === 'Approved' && c.status !== 'False');

/** Creates the CSR and resolves with the PEM certificate the signer issued. */
export async function requestCertificate(client: RestClient, req: CertificateRequest): Promise<string> {
  const csrs = client.resource(CSR_RESOURCE);
  const name = `${req.namePrefix}${randomBytes(5).toString('hex')}`;
  const body: CertificateSigningRequest = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: Buffer.from(req.csrPem, 'utf8').toString('base64'), signerName: req.signerName, usages: req.usages },
  };
  await csrs.create(body as unknown as Parameters<typeof csrs.create>[0]);
  req.onCreated?.(name);
  const timeoutMs = req.timeoutMs ?? 5 * 60_000;
  const end = Date.now() + timeoutMs;
  for (;;) {
    let csr: CertificateSigningRequest | undefined;
    try {
      csr = (await csrs.getOrUndefined(name)) as unknown as CertificateSigningRequest | undefined;
    } catch (e) {
      // a server restarting or briefly unreachable is waited out; a refusal of our credentials is not
      if (isStatusError(e) && (e.code === 401 || e.code === 403)) throw e;
    }
    if (csr === undefined && Date.now() > end) break;
    if (csr) {
      const no = refusal(csr);
      if (no) throw new CertificateRequestError(`certificate signing request ${name} was ${no}`, name);
      if (csr.status?.certificate) return Buffer.from(csr.status.certificate, 'base64').toString('utf8');
      if (Date.now() > end) {
        const state = approved(csr) ? `approved but not signed by ${req.signerName}: is the signer running?` : 'not approved';
        throw new CertificateRequestError(
          `certificate signing request ${name} (signer ${req.signerName}) was ${state} within ${Math.round(timeoutMs / 1000)} s; ` +
            `a cluster administrator can approve it: kubectl certificate approve ${name}`,
          name,
        );
      }
    }
    await sleep(req.pollMs ?? 500);
  }
  throw new CertificateRequestError(`certificate signing request ${name} disappeared before it was signed (deleted?)`, name);
}
