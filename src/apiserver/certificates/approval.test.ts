// The CSR API through the real API server: the requestor is stamped on create, approval goes
// through the approval subresource with `approve` on the signer, and status.certificate needs `sign`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CertificateSigningRequest } from '../../api/gen/types.js';
import { allKinds } from '../../api/kinds/index.js';
import { type StatusError } from '../../base/errors.js';
import { createRestClient } from '../../client/rest-client.js';
import { ensurePki } from '../../pki/index.js';
import { csrObject, makeCsr } from '../../pki/testing/make-csr.js';
import { createBackend } from '../../storage/index.js';
import { createRequestAuthenticator, createTokenAuthenticator } from '../auth/index.js';
import type { Authorizer } from '../auth/authorizer.js';
import { createApiServer } from '../server.js';

const CSRS = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
const SIGNER = 'example.com/team';

// everyone may do everything, except that `carol` may not approve and `dave` may approve only for example.com/*
const authorizer: Authorizer = {
  authorize(a) {
    if (a.resource === 'signers' && a.verb === 'approve') {
      if (a.user.name === 'carol') return { decision: 'no-opinion', reason: '' };
      if (a.user.name === 'dave') return { decision: a.name === 'example.com/*' ? 'allow' : 'no-opinion', reason: '' };
    }
    if (a.resource === 'signers' && a.verb === 'sign' && a.user.name !== 'signer') return { decision: 'no-opinion', reason: '' };
    return { decision: 'allow', reason: '' };
  },
};

test('CSR requestor, approval subresource and signing rights', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-csr-api-'));
  const backend = await createBackend('memory');
  const pki = await ensurePki(dir, { hosts: ['127.0.0.1'] });
  const users = ['alice', 'carol', 'dave', 'signer'];
  const table = createTokenAuthenticator(
    users.map((u) => ({ token: `tok-${u}-0123456789`, user: { name: u, uid: `uid-${u}`, groups: ['team', 'system:authenticated'] } })),
  );
  const api = await createApiServer({
    backend,
    kinds: allKinds,
    authenticator: createRequestAuthenticator({ static: table }),
    authorizer,
    tls: { cert: pki.certPem, key: pki.keyPem, ca: pki.caCertPem },
    advertiseAddress: '127.0.0.1:0',
  });
  const port = await api.listen('127.0.0.1', 0);
  const as = (u: string) => createRestClient({ server: `https://127.0.0.1:${port}`, caPem: pki.caCertPem, token: `tok-${u}-0123456789` });
  t.after(async () => {
    await api.close();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const { csrPem } = await makeCsr({ cn: 'alice' });
  const body = csrObject('c1', csrPem, SIGNER, ['client auth'], { username: 'forged', groups: ['system:masters'] });
  const created = await as('alice').request<CertificateSigningRequest>('POST', CSRS, body);
  assert.equal(created.spec.username, 'alice');
  assert.equal(created.spec.uid, 'uid-alice');
  assert.deepEqual(created.spec.groups, ['team', 'system:authenticated']);

  const approve = (csr: CertificateSigningRequest) => ({
    ...csr,
    status: { conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'ok' }] },
  });
  // Approved cannot be set through status
  await assert.rejects(
    as('alice').request('PUT', `${CSRS}/c1/status`, approve(created)),
    (e: StatusError) => e.code === 422 && /may not add a condition of type "Approved"/.test(e.message),
  );
  // carol may update the subresource but not approve for the signer
  await assert.rejects(
    as('carol').request('PUT', `${CSRS}/c1/approval`, approve(created)),
    (e: StatusError) => e.code === 403 && e.message.includes(`user not permitted to approve requests with signerName "${SIGNER}"`),
  );
  // dave may, through the domain wildcard
  const approved = await as('dave').request<CertificateSigningRequest>('PUT', `${CSRS}/c1/approval`, approve(created));
  assert.equal(approved.status?.conditions?.[0]?.type, 'Approved');
  assert.equal(approved.spec.username, 'alice');
  // approval can never be taken back or flipped to Denied
  await assert.rejects(
    as('dave').request('PUT', `${CSRS}/c1/approval`, { ...approved, status: { conditions: [{ type: 'Denied', status: 'True' }] } }),
    (e: StatusError) => e.code === 422 && /may not remove a condition of type "Approved"/.test(e.message),
  );
  // the certificate: only for those who may sign, and only once
  const cert = Buffer.from(pki.certPem).toString('base64');
  const withCert = { ...approved, status: { ...approved.status, certificate: cert } };
  await assert.rejects(
    as('alice').request('PUT', `${CSRS}/c1/status`, withCert),
    (e: StatusError) => e.code === 403 && /not permitted to sign/.test(e.message),
  );
  const issued = await as('signer').request<CertificateSigningRequest>('PUT', `${CSRS}/c1/status`, withCert);
  assert.equal(issued.status?.certificate, cert);
  await assert.rejects(
    as('signer').request('PUT', `${CSRS}/c1/status`, {
      ...issued,
      status: { ...issued.status, certificate: Buffer.from(pki.caCertPem).toString('base64') },
    }),
    (e: StatusError) => e.code === 422 && /may not modify existing certificate content/.test(e.message),
  );
  // JSON patch on approval works too (a Denied on another CSR)
  await as('alice').request('POST', CSRS, csrObject('c2', csrPem, SIGNER, ['client auth']));
  const denied = await as('dave').request<CertificateSigningRequest>(
    'PATCH',
    `${CSRS}/c2/approval`,
    [{ op: 'add', path: '/status', value: { conditions: [{ type: 'Denied', status: 'True', reason: 'No' }] } }],
    'application/json-patch+json',
  );
  assert.equal(denied.status?.conditions?.[0]?.type, 'Denied');
  // the apiserver-client signer never issues system:masters
  const masters = await makeCsr({ cn: 'eve', o: ['system:masters'] });
  await assert.rejects(
    as('alice').request('POST', CSRS, csrObject('c3', masters.csrPem, 'kubernetes.io/kube-apiserver-client', ['client auth'])),
    (e: StatusError) => e.code === 403 && /with system:masters group is not allowed/.test(e.message),
  );
  // bad input: a 422 naming the field
  await assert.rejects(
    as('alice').request('POST', CSRS, csrObject('c4', 'garbage', SIGNER, ['client auth'])),
    (e: StatusError) => e.code === 422 && /spec\.request/.test(e.message),
  );
});
