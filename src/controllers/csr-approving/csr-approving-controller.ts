// The CSR approver: watches CertificateSigningRequests (and Nodes, for the serving certificates'
// addresses) and writes the Approved condition through the approval subresource when
// csr-approving-decide.ts says so. Requests it does not approve stay pending for an operator.

import type { CertificateSigningRequest } from '../../api/gen/types.js';
import { csrKind } from '../../api/kinds/certificates/csr.js';
import { nodeKind } from '../../api/kinds/core/node.js';
import { StatusError } from '../../base/errors.js';
import { createWorkQueue } from '../../base/work-queue.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { decideApproval, defaultNodeClientAccess, type AccessCheck } from './csr-approving-decide.js';

const NAME = 'csrapproving';

export interface CsrApprovingOptions extends ControllerDeps {
  /** the SubjectAccessReview check (default: kubeadm's default bindings, see defaultNodeClientAccess) */
  access?: AccessCheck;
}

export function startCsrApprovingController(o: CsrApprovingOptions): RunningController {
  const csrs = o.informers.for(csrKind);
  const nodes = o.informers.for(nodeKind);
  const queue = createWorkQueue<string>({ name: 'certificate' });
  const access = o.access ?? defaultNodeClientAccess;
  const log = o.log.child(NAME);
  const now = o.now ?? Date.now;

  csrs.addHandlers({
    onAdd: (c) => queue.add(c.metadata.name ?? ''),
    onUpdate: (_o, c) => queue.add(c.metadata.name ?? ''),
  });
  // a serving CSR may come before its Node has its addresses: look again when Nodes change
  const pendingServing = () => {
    for (const c of csrs.list())
      if (c.spec.signerName === 'kubernetes.io/kubelet-serving' && !c.status?.conditions?.length) queue.add(c.metadata.name ?? '');
  };
  nodes.addHandlers({ onAdd: pendingServing, onUpdate: pendingServing });

  async function sync(name: string): Promise<void> {
    const csr = csrs.get(name);
    if (!csr) return;
    const d = await decideApproval(csr, (n) => nodes.get(n), access);
    if (!d.approve) {
      log.debug('not auto-approved', { csr: name, why: d.why });
      return;
    }
    const ts = new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const next: CertificateSigningRequest = {
      ...csr,
      status: {
        ...csr.status,
        conditions: [
          ...(csr.status?.conditions ?? []),
          { type: 'Approved', status: 'True', reason: 'AutoApproved', message: d.message, lastUpdateTime: ts, lastTransitionTime: ts },
        ],
      },
    };
    try {
      await o.client.resource(csrKind).updateSubresource(name, 'approval', next);
      log.info('approved', { csr: name, requestor: csr.spec.username, signer: csr.spec.signerName });
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return;
      throw e;
    }
  }

  return runController({ name: NAME, log, informers: [csrs, nodes], queue, workers: o.workers ?? 1, sync });
}
