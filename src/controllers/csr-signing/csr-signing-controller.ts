// The CSR signer of the built-in signers kube-apiserver-client-kubelet, kubelet-serving and
// kube-apiserver-client: signs approved requests with the cluster CA (it runs in the server process,
// which holds DATA/pki/ca.key) and writes status.certificate; a request that breaks its signer's
// rules gets upstream's Failed condition (reason SignerValidationFailure) instead.

import type { CertificateSigningRequest } from '../../api/gen/types.js';
import { csrKind } from '../../api/kinds/certificates/csr.js';
import { StatusError } from '../../base/errors.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { signCertificateRequest } from '../../pki/index.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { decideSigning } from './csr-signing-decide.js';

const NAME = 'csrsigning';
/** notBefore is set this far back, for clocks a little behind (upstream: 5 minutes) */
const BACKDATE_MS = 5 * 60 * 1000;

export interface CsrSigningOptions extends ControllerDeps {
  /** the cluster CA */
  ca: { certPem: string; keyPem: string };
  /** the longest lifetime issued (default one year) */
  maxDurationMs?: number;
}

export function startCsrSigningController(o: CsrSigningOptions): RunningController {
  const csrs = o.informers.for(csrKind);
  const queue = createWorkQueue<string>({ name: 'csrsigning' });
  const log = o.log.child(NAME);
  const now = o.now ?? Date.now;
  csrs.addHandlers({
    onAdd: (c) => queue.add(c.metadata.name ?? ''),
    onUpdate: (_o, c) => queue.add(c.metadata.name ?? ''),
  });

  async function writeStatus(csr: CertificateSigningRequest): Promise<void> {
    try {
      await o.client.resource(csrKind).updateStatus(csr);
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return;
      throw e;
    }
  }

  async function sync(name: string): Promise<void> {
    const csr = csrs.get(name);
    if (!csr) return;
    const d = decideSigning(csr, o.maxDurationMs);
    if (d.action === 'skip') return;
    if (d.action === 'fail') {
      const ts = new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const failed = {
        type: 'Failed',
        status: 'True',
        reason: 'SignerValidationFailure',
        message: d.message,
        lastUpdateTime: ts,
        lastTransitionTime: ts,
      };
      await writeStatus({ ...csr, status: { ...csr.status, conditions: [...(csr.status?.conditions ?? []), failed] } });
      log.warn('request refused by its signer', { csr: name, signer: csr.spec.signerName, why: d.message });
      return;
    }
    const certPem = await signCertificateRequest({
      ca: o.ca,
      csrPem: d.csrPem,
      usages: d.usages,
      durationMs: d.durationMs,
      backdateMs: BACKDATE_MS,
    });
    await writeStatus({ ...csr, status: { ...csr.status, certificate: Buffer.from(certPem).toString('base64') } });
    log.info('issued', { csr: name, signer: csr.spec.signerName, requestor: csr.spec.username });
  }

  return runController({ name: NAME, log, informers: [csrs], queue, workers: o.workers ?? 1, sync });
}
