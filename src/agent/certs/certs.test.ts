import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CertificateSigningRequest } from '../../api/gen/types.js';
import { StatusError } from '../../base/errors.js';
import { nullLogger } from '../../base/log.js';
import { realClock } from '../../base/clock.js';
import type { RestClient } from '../../client/rest-client.js';
import { caCertHash } from '../../pki/index.js';
import { createTestCa, type TestCa } from '../../pki/testing/openssl-ca.js';
import { renewalDeadline, startCertificateManager } from './cert-manager.js';
import { CertificateRequestError, requestCertificate, SIGNER_CLIENT_KUBELET } from './csr-request.js';
import { CaHashMismatchError, discoverPinnedCa } from './discover-ca.js';
import { readPemPair } from './node-files.js';

type Answer = 'sign' | 'deny' | 'ignore' | 'unauthorized';

/** A fake API holding CSRs: answers each as told, signing with a real CA through openssl. */
function csrApi(ca: TestCa, answer: () => Answer) {
  const csrs = new Map<string, CertificateSigningRequest>();
  const created: CertificateSigningRequest[] = [];
  const handle = {
    async create(obj: CertificateSigningRequest) {
      const a = answer();
      if (a === 'unauthorized') throw new StatusError(401, 'Unauthorized', 'Unauthorized');
      created.push(obj);
      const csr = structuredClone(obj);
      const pem = Buffer.from(csr.spec.request, 'base64').toString('utf8');
      if (a === 'sign') {
        const cert = ca.sign(pem, { ext: 'extendedKeyUsage=clientAuth' });
        csr.status = { conditions: [{ type: 'Approved', status: 'True' }], certificate: Buffer.from(cert).toString('base64') };
      } else if (a === 'deny') {
        csr.status = { conditions: [{ type: 'Denied', status: 'True', reason: 'NotMine', message: 'no thanks' }] };
      }
      csrs.set(csr.metadata.name!, csr);
      return csr;
    },
    async getOrUndefined(name: string) {
      return csrs.get(name);
    },
  };
  const client = { resource: () => handle } as unknown as RestClient;
  return { client, created };
}

test('requestCertificate: the CSR object as upstream has it; signed, denied, unanswered and refused requests', async (t) => {
  const ca = createTestCa();
  t.after(() => ca.dispose());
  let answer: Answer = 'sign';
  const api = csrApi(ca, () => answer);
  const { generateKeyAndCsr } = await import('../../pki/index.js');
  const { csrPem } = await generateKeyAndCsr({ commonName: 'system:node:n1', organizations: ['system:nodes'] });
  const req = {
    csrPem,
    signerName: SIGNER_CLIENT_KUBELET,
    usages: ['digital signature', 'client auth'],
    namePrefix: 'node-csr-',
    pollMs: 10,
  };

  const cert = await requestCertificate(api.client, req);
  assert.match(new X509Certificate(cert).subject, /CN=system:node:n1/);
  const sent = api.created[0]!;
  assert.equal(sent.apiVersion, 'certificates.k8s.io/v1');
  assert.match(sent.metadata.name ?? '', /^node-csr-[0-9a-f]{10}$/);
  assert.equal(sent.spec.signerName, 'kubernetes.io/kube-apiserver-client-kubelet');
  assert.deepEqual(sent.spec.usages, ['digital signature', 'client auth']);
  assert.equal(Buffer.from(sent.spec.request, 'base64').toString('utf8'), csrPem);

  answer = 'deny';
  await assert.rejects(requestCertificate(api.client, req), /certificate signing request node-csr-\w+ was denied \(NotMine: no thanks\)/);
  answer = 'ignore';
  await assert.rejects(requestCertificate(api.client, { ...req, timeoutMs: 100 }), (e: unknown) => {
    assert.ok(e instanceof CertificateRequestError);
    assert.match(
      e.message,
      /was not approved within 0 s; a cluster administrator can approve it: kubectl certificate approve node-csr-\w+$/,
    );
    assert.ok(e.message.includes(e.csrName));
    return true;
  });
  answer = 'unauthorized';
  await assert.rejects(requestCertificate(api.client, req), (e: unknown) => e instanceof StatusError && e.code === 401);
});

test('the certificate manager renews at the jittered point, writes key and certificate in one 0600 file, and tells its user', async (t) => {
  const ca = createTestCa();
  const dir = await mkdtemp(join(tmpdir(), 'tandem-certmgr-'));
  t.after(() => (ca.dispose(), rm(dir, { recursive: true, force: true })));
  const api = csrApi(ca, () => 'sign');
  const file = join(dir, 'pki', 'kubelet-client-current.pem');
  const seen: string[] = [];
  const start = (fraction: number) =>
    startCertificateManager({
      client: api.client,
      file,
      subject: async () => ({ commonName: 'system:node:n1', organizations: ['system:nodes'] }),
      signerName: SIGNER_CLIENT_KUBELET,
      usages: ['digital signature', 'client auth'],
      namePrefix: 'csr-',
      onCertificate: (p) => seen.push(p.cert),
      log: nullLogger,
      clock: realClock,
      jitter: () => fraction,
    });
  // no certificate yet: one is requested at once
  const m1 = start(0.8);
  await m1.ready();
  m1.stop();
  assert.equal(api.created.length, 1);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const first = await readPemPair(file);
  assert.ok(first);
  assert.equal(seen[0], first.cert);
  const deadline = renewalDeadline(first.x509, 0.8);
  assert.equal(m1.nextRenewal(), deadline);
  const life = Date.parse(first.x509.validTo) - Date.parse(first.x509.validFrom);
  assert.ok(Math.abs(deadline - (Date.parse(first.x509.validFrom) + 0.8 * life)) < 1000);

  // a valid certificate on disk is used as it is, and renewal waits for its time
  const m2 = start(0.8);
  await m2.ready();
  m2.stop();
  assert.equal(api.created.length, 1);
  assert.equal(seen[1], first.cert);

  // past the renewal point (fraction 0: already due): a new key and certificate replace the file
  const m3 = start(0);
  const end = Date.now() + 20_000;
  while (seen.length < 4 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  m3.stop();
  assert.ok(api.created.length >= 2);
  const renewed = await readPemPair(file);
  assert.ok(renewed);
  assert.notEqual(renewed.key, first.key);
  assert.notEqual(renewed.cert, first.cert);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
});

test('discovery trusts the presented CA only when its hash is the pin; a wrong pin names both hashes', async (t) => {
  const ca = createTestCa('cluster-ca');
  t.after(() => ca.dispose());
  const leaf = ca.issue('/CN=apiserver', { ext: 'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1' });
  const listen = async (cert: string) => {
    const s = createServer({ cert, key: leaf.key }, (_q, r) => r.end());
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    t.after(() => s.close());
    return `https://127.0.0.1:${(s.address() as AddressInfo).port}`;
  };
  const withChain = await listen(`${leaf.cert}${ca.certPem}`);
  const pin = caCertHash(ca.certPem);
  assert.equal(await discoverPinnedCa(withChain, pin), new X509Certificate(ca.certPem).toString());

  const wrong = `sha256:${'0'.repeat(64)}`;
  await assert.rejects(discoverPinnedCa(withChain, wrong), (e: unknown) => {
    assert.ok(e instanceof CaHashMismatchError);
    assert.ok(e.message.includes(pin) && e.message.includes(wrong), e.message);
    return true;
  });
  const leafOnly = await listen(leaf.cert);
  await assert.rejects(discoverPinnedCa(leafOnly, pin), /presented only its own certificate, no CA/);
  await assert.rejects(discoverPinnedCa('https://127.0.0.1:1', pin), /cannot reach 127\.0\.0\.1:1: connection refused/);
});
