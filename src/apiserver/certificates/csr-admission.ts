// Admission of CertificateSigningRequests: on create the requestor's identity is written into
// spec.username/uid/groups/extra (whatever the client sent there is replaced: signers and approvers
// trust these fields); the kube-apiserver-client signer may not be asked for a system:masters
// certificate (upstream's CertificateSubjectRestriction); and status.certificate may only be set by
// a user allowed to `sign` for the CSR's signer (upstream's CertificateSigning admission).

import type { AdmissionPlugin } from '../admission/plugin.js';
import type { Authorizer } from '../auth/authorizer.js';
import { parseCsr } from '../../api/kinds/certificates/csr-request.js';
import { pemOf } from '../../api/kinds/certificates/csr.js';
import { SIGNER_APISERVER_CLIENT } from '../../api/kinds/certificates/signers.js';
import { forbidden } from '../../base/errors.js';
import { mayActForSigner } from './signer-access.js';

type Rec = Record<string, unknown>;
const CSR = 'CertificateSigningRequest';

export function createCsrAdmission(authorizer: Authorizer): AdmissionPlugin {
  return {
    name: 'CertificateSigningRequests',
    mutate(r) {
      if (r.kind.kind !== CSR || r.kind.group !== 'certificates.k8s.io' || r.operation !== 'CREATE' || !r.object) return false;
      const spec = (r.object['spec'] ?? {}) as Rec;
      spec['username'] = r.user.name;
      if (r.user.uid) spec['uid'] = r.user.uid;
      else delete spec['uid'];
      spec['groups'] = [...r.user.groups];
      if (r.user.extra && Object.keys(r.user.extra).length > 0) spec['extra'] = structuredClone(r.user.extra);
      else delete spec['extra'];
      r.object['spec'] = spec;
      return true;
    },
    async validate(r) {
      if (r.kind.kind !== CSR || r.kind.group !== 'certificates.k8s.io' || !r.object) return;
      const spec = (r.object['spec'] ?? {}) as Rec;
      const signer = String(spec['signerName'] ?? '');
      if (r.operation === 'CREATE' && signer === SIGNER_APISERVER_CLIENT) {
        const pem = pemOf(spec['request'] as string | undefined);
        if (pem !== undefined && parseCsr(pem).organizations.includes('system:masters')) {
          throw forbidden(`use of ${signer} signer with system:masters group is not allowed`);
        }
      }
      if (r.operation === 'UPDATE' && r.subresource === 'status') {
        const cert = ((r.object['status'] ?? {}) as Rec)['certificate'];
        const before = ((r.oldObject?.['status'] ?? {}) as Rec)['certificate'];
        if (cert !== before && !(await mayActForSigner(authorizer, r.user, 'sign', signer))) {
          throw forbidden(`user not permitted to sign requests with signerName "${signer}"`);
        }
      }
    },
  };
}
