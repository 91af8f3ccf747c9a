// CertificateSigningRequests end to end with the real kubectl against `tandem server`: `kubectl get
// csr` columns, `kubectl certificate approve|deny`, the signer issuing from the cluster CA, the
// issued client certificate authenticating kubectl as its subject, and bad requests refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { csrObject, makeCsr } from '../../src/pki/testing/make-csr.js';
import { kubectlAvailable, startTandem } from './harness.js';
import { SKIP_MESSAGE } from './kubectl-support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(
  'kubectl get csr, certificate approve and deny; the issued certificate authenticates',
  { skip: !kubectlAvailable() && SKIP_MESSAGE, timeout: 90_000 },
  async (t) => {
    const srv = await startTandem({ args: ['--controllers', 'csrapproving,csrsigning'] });
    t.after(() => srv.stop());
    const signer = 'kubernetes.io/kube-apiserver-client';
    const jane = await makeCsr({ cn: 'jane', o: ['dev-team'] });
    const apply = (obj: object) => srv.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
    let r = apply(csrObject('jane', jane.csrPem, signer, ['digital signature', 'client auth'], { expirationSeconds: 3600 }));
    assert.equal(r.code, 0, r.stderr);
    r = srv.kubectl(['get', 'csr']);
    assert.equal(r.code, 0, r.stderr);
    const [head, row] = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s{2,}/));
    assert.deepEqual(head, ['NAME', 'AGE', 'SIGNERNAME', 'REQUESTOR', 'REQUESTEDDURATION', 'CONDITION']);
    assert.deepEqual([row?.[0], row?.[2], row?.[3], row?.[4], row?.[5]], ['jane', signer, 'tandem-admin', '60m', 'Pending']);

    r = srv.kubectl(['certificate', 'approve', 'jane']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /certificatesigningrequest.certificates.k8s.io\/jane approved/);
    let certB64 = '';
    for (let i = 0; i < 100 && !certB64; i++) {
      certB64 = srv.kubectl(['get', 'csr', 'jane', '-o', 'jsonpath={.status.certificate}']).stdout;
      if (!certB64) await sleep(100);
    }
    assert.ok(certB64, `no certificate issued:\n${srv.output()}`);
    const cert = new X509Certificate(Buffer.from(certB64, 'base64'));
    const ca = new X509Certificate(srv.caPem());
    assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey));
    assert.deepEqual(cert.subject.split('\n').sort(), ['CN=jane', 'O=dev-team']);
    const life = Date.parse(cert.validTo) - Date.now();
    assert.ok(life > 3500_000 && life <= 3600_000, `lifetime ${life} ms`);
    assert.match(srv.kubectl(['get', 'csr', 'jane']).stdout, /Approved,Issued/);
    const cond = JSON.parse(srv.kubectl(['get', 'csr', 'jane', '-o', 'json']).stdout) as {
      status: { conditions: Array<{ type: string; reason: string }> };
    };
    assert.deepEqual(
      cond.status.conditions.map((c) => [c.type, c.reason]),
      [['Approved', 'KubectlApprove']],
    );

    // the certificate authenticates kubectl as jane (who may do nothing yet: the 403 names her)
    const kc = join(srv.home, 'jane.kubeconfig');
    writeFileSync(
      kc,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: srv.url, 'certificate-authority-data': Buffer.from(srv.caPem()).toString('base64') } }],
        users: [
          { name: 'jane', user: { 'client-certificate-data': certB64, 'client-key-data': Buffer.from(jane.keyPem).toString('base64') } },
        ],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'jane' } }],
        'current-context': 'c',
      }),
    );
    r = srv.kubectl(['get', 'namespaces'], { env: { KUBECONFIG: kc } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /User "jane" cannot list resource "namespaces"/);

    // deny another; a denied request is never signed
    const bob = await makeCsr({ cn: 'bob' });
    assert.equal(apply(csrObject('bob', bob.csrPem, signer, ['client auth'])).code, 0);
    r = srv.kubectl(['certificate', 'deny', 'bob']);
    assert.equal(r.code, 0, r.stderr);
    await sleep(500);
    assert.match(srv.kubectl(['get', 'csr', 'bob']).stdout, /bob\s.*\sDenied\s*$/m);
    assert.equal(srv.kubectl(['get', 'csr', 'bob', '-o', 'jsonpath={.status.certificate}']).stdout, '');

    // bad input: a 4xx naming the field
    r = apply(csrObject('bad', bob.csrPem, signer, ['server auth']));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.usages: Invalid value.*invalid usage for client certificate: server auth/);
    r = apply(csrObject('bad', 'not a request', signer, ['client auth']));
    assert.match(r.stderr, /spec\.request: Invalid value.*PEM block type must be CERTIFICATE REQUEST/);
    r = apply(csrObject('bad', bob.csrPem, 'nodomain', ['client auth']));
    assert.match(r.stderr, /spec\.signerName: Invalid value: "nodomain"/);
  },
);
