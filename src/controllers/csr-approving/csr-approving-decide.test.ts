import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CertificateSigningRequest, Node } from '../../api/gen/types.js';
import { csrObject, makeCsr } from '../../pki/testing/make-csr.js';
import { decideApproval, defaultNodeClientAccess, type AccessCheck } from './csr-approving-decide.js';

const CLIENT = 'kubernetes.io/kube-apiserver-client-kubelet';
const SERVING = 'kubernetes.io/kubelet-serving';
const bootstrapper = {
  username: 'system:bootstrap:abcdef',
  groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated'],
};
const node1 = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const csr = (pem: string, signer: string, usages: string[], who: Record<string, unknown>, status?: object) =>
  ({ ...csrObject('c', pem, signer, usages, who), ...(status ? { status } : {}) }) as unknown as CertificateSigningRequest;
const theNode: Node = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1' },
  status: {
    addresses: [
      { type: 'InternalIP', address: '10.0.0.5' },
      { type: 'Hostname', address: 'N1.local' },
    ],
  },
};
const nodes = (n: string) => (n === 'n1' ? theNode : undefined);

test('kubelet client CSRs: bootstrap tokens get nodeclient, nodes renew their own through selfnodeclient', async () => {
  const { csrPem } = await makeCsr({ cn: 'system:node:n1', o: ['system:nodes'] });
  const usages = ['digital signature', 'client auth'];
  const asked: string[] = [];
  const recording: AccessCheck = (u, s) => {
    asked.push(`${u.name}:${s}`);
    return defaultNodeClientAccess(u, s);
  };
  const boot = await decideApproval(csr(csrPem, CLIENT, usages, bootstrapper), nodes, recording);
  assert.deepEqual(boot, { approve: true, message: 'Auto approving kubelet client certificate after SubjectAccessReview.' });
  assert.deepEqual(asked, ['system:bootstrap:abcdef:nodeclient']);
  const self = await decideApproval(csr(csrPem, CLIENT, usages, node1), nodes, defaultNodeClientAccess);
  assert.equal(self.approve && self.message.includes('self kubelet client'), true);
  // a node asking for another node's client certificate: selfnodeclient does not apply, nodeclient not granted
  const { csrPem: other } = await makeCsr({ cn: 'system:node:n2', o: ['system:nodes'] });
  assert.equal((await decideApproval(csr(other, CLIENT, usages, node1), nodes, defaultNodeClientAccess)).approve, false);
  // an ordinary user, the access check saying no
  assert.equal(
    (
      await decideApproval(
        csr(csrPem, CLIENT, usages, { username: 'bob', groups: ['system:authenticated'] }),
        nodes,
        defaultNodeClientAccess,
      )
    ).approve,
    false,
  );
  // wrong usages are never approved, whoever asks
  const wrong = await decideApproval(
    csr(csrPem, CLIENT, ['digital signature', 'server auth'], bootstrapper),
    nodes,
    defaultNodeClientAccess,
  );
  assert.deepEqual(wrong, { approve: false, why: 'usages did not match [client auth digital signature key encipherment]' });
  // already decided
  const done = await decideApproval(
    csr(csrPem, CLIENT, usages, bootstrapper, { conditions: [{ type: 'Denied', status: 'True' }] }),
    nodes,
    defaultNodeClientAccess,
  );
  assert.equal(done.approve, false);
  // other signers are left alone
  assert.equal((await decideApproval(csr(csrPem, 'example.com/x', usages, bootstrapper), nodes, defaultNodeClientAccess)).approve, false);
});

test("kubelet serving CSRs: approved only for the node's own addresses and names", async () => {
  const usages = ['digital signature', 'server auth'];
  const good = await makeCsr({ cn: 'system:node:n1', o: ['system:nodes'], ips: ['10.0.0.5'], dns: ['n1', 'n1.local'] });
  const ok = await decideApproval(csr(good.csrPem, SERVING, usages, node1), nodes, defaultNodeClientAccess);
  assert.equal(ok.approve, true);
  const foreignIp = await makeCsr({ cn: 'system:node:n1', o: ['system:nodes'], ips: ['10.0.0.5', '10.9.9.9'] });
  assert.deepEqual(await decideApproval(csr(foreignIp.csrPem, SERVING, usages, node1), nodes, defaultNodeClientAccess), {
    approve: false,
    why: "SANs not among node n1's addresses: 10.9.9.9",
  });
  const foreignDns = await makeCsr({ cn: 'system:node:n1', o: ['system:nodes'], dns: ['kubernetes.default.svc'] });
  assert.equal((await decideApproval(csr(foreignDns.csrPem, SERVING, usages, node1), nodes, defaultNodeClientAccess)).approve, false);
  // requested by someone else than the node in the CN
  assert.equal((await decideApproval(csr(good.csrPem, SERVING, usages, bootstrapper), nodes, defaultNodeClientAccess)).approve, false);
  // the node does not exist (yet)
  const n2 = await makeCsr({ cn: 'system:node:n2', o: ['system:nodes'], ips: ['10.0.0.5'] });
  const asN2 = { username: 'system:node:n2', groups: ['system:nodes'] };
  assert.deepEqual(await decideApproval(csr(n2.csrPem, SERVING, usages, asN2), nodes, defaultNodeClientAccess), {
    approve: false,
    why: 'node n2 does not exist',
  });
});
