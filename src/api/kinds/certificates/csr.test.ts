import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCsr, csrObject } from '../../../pki/testing/make-csr.js';
import { fieldErrorText, type FieldError } from '../../../base/errors.js';
import { parseCsr } from './csr-request.js';
import { csrCondition, csrKind, validateCsr, validateCsrTransition } from './csr.js';
import { SIGNER_KUBELET_CLIENT, SIGNER_KUBELET_SERVING } from './signers.js';

type Csr = Parameters<typeof validateCsr>[0];
const asCsr = (o: unknown) => o as Csr;
const text = (errs: FieldError[]) => errs.map(fieldErrorText).join('\n');
const CLIENT_USAGES = ['digital signature', 'client auth'];

test('parseCsr reads subject, SANs and verifies the signature for EC, RSA and Ed25519 keys', async () => {
  for (const key of ['ec', 'rsa', 'ed25519'] as const) {
    const { csrPem } = await makeCsr({
      cn: 'system:node:n1',
      o: ['system:nodes'],
      dns: ['n1.example'],
      ips: ['10.0.0.7', '::1'],
      emails: ['a@b.example'],
      uris: ['spiffe://x/y'],
      key,
    });
    const p = parseCsr(csrPem);
    assert.equal(p.commonName, 'system:node:n1');
    assert.deepEqual(p.organizations, ['system:nodes']);
    assert.deepEqual(p.dnsNames, ['n1.example']);
    assert.deepEqual(p.ipAddresses, ['10.0.0.7', '::1']);
    assert.deepEqual(p.emailAddresses, ['a@b.example']);
    assert.deepEqual(p.uris, ['spiffe://x/y']);
  }
});

test('a tampered request, a certificate and garbage are refused with a reason', async () => {
  const { csrPem } = await makeCsr({ cn: 'x' });
  const b64 = csrPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const der = Buffer.from(b64, 'base64');
  // flip a byte inside the signed part: the CN's one character, found by its DER string header
  // (UTF8String or PrintableString of length 1), never a random byte of the public key
  let i = der.indexOf(Buffer.from([0x0c, 0x01, 0x78]));
  if (i < 0) i = der.indexOf(Buffer.from([0x13, 0x01, 0x78]));
  assert.ok(i >= 0, 'the CN is in the request');
  der[i + 2] = 'y'.charCodeAt(0);
  const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
  assert.throws(() => parseCsr(tampered), /verification failure/);
  assert.throws(
    () => parseCsr('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
    /PEM block type must be CERTIFICATE REQUEST/,
  );
  assert.throws(() => parseCsr('hello'), /PEM block type must be CERTIFICATE REQUEST/);
  assert.throws(() => parseCsr('-----BEGIN CERTIFICATE REQUEST-----\nAAECAwQ=\n-----END CERTIFICATE REQUEST-----\n'), /malformed/);
});

test('a valid kubelet client CSR passes; each upstream rule names its field', async () => {
  const good = await makeCsr({ cn: 'system:node:n1', o: ['system:nodes'] });
  assert.deepEqual(validateCsr(asCsr(csrObject('a', good.csrPem, SIGNER_KUBELET_CLIENT, CLIENT_USAGES)), undefined), []);
  const cases: Array<[string, Csr, RegExp]> = [
    [
      'bad PEM',
      asCsr(csrObject('a', 'not pem', SIGNER_KUBELET_CLIENT, CLIENT_USAGES)),
      /spec\.request: Invalid value.*PEM block type must be CERTIFICATE REQUEST/,
    ],
    ['no usages', asCsr(csrObject('a', good.csrPem, SIGNER_KUBELET_CLIENT, [])), /spec\.usages: Required value: usages must be provided/],
    ['unknown usage', asCsr(csrObject('a', good.csrPem, 'example.com/x', ['flying'])), /spec\.usages\[0\]: Unsupported value: "flying"/],
    [
      'duplicate usage',
      asCsr(csrObject('a', good.csrPem, 'example.com/x', ['client auth', 'client auth'])),
      /spec\.usages\[1\]: Duplicate value/,
    ],
    ['no signer', asCsr(csrObject('a', good.csrPem, '', CLIENT_USAGES)), /spec\.signerName: Required value: signerName must be provided/],
    [
      'bad signer',
      asCsr(csrObject('a', good.csrPem, 'nodomain', CLIENT_USAGES)),
      /spec\.signerName: Invalid value: "nodomain": must be a fully qualified domain and path/,
    ],
    ['one-label domain', asCsr(csrObject('a', good.csrPem, 'local/x', CLIENT_USAGES)), /should be a domain with at least two segments/],
    [
      'legacy signer',
      asCsr(csrObject('a', good.csrPem, 'kubernetes.io/legacy-unknown', CLIENT_USAGES)),
      /legacy signerName is not allowed/,
    ],
    [
      'short duration',
      asCsr(csrObject('a', good.csrPem, 'example.com/x', CLIENT_USAGES, { expirationSeconds: 599 })),
      /spec\.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds/,
    ],
    [
      'wrong usages for the kubelet client signer',
      asCsr(csrObject('a', good.csrPem, SIGNER_KUBELET_CLIENT, ['digital signature', 'server auth'])),
      /spec\.usages: Invalid value.*usages did not match \[client auth digital signature key encipherment\]/,
    ],
  ];
  for (const [what, obj, re] of cases) assert.match(text(validateCsr(obj, undefined)), re, what);
});

test('kubelet client and serving signers: subject and SAN rules', async () => {
  const wrongOrg = await makeCsr({ cn: 'system:node:n1', o: ['system:masters'] });
  assert.match(
    text(validateCsr(asCsr(csrObject('a', wrongOrg.csrPem, SIGNER_KUBELET_CLIENT, CLIENT_USAGES)), undefined)),
    /subject organization is not system:nodes/,
  );
  const withSan = await makeCsr({ cn: 'system:node:n1', o: ['system:nodes'], ips: ['10.0.0.1'] });
  assert.match(
    text(validateCsr(asCsr(csrObject('a', withSan.csrPem, SIGNER_KUBELET_CLIENT, CLIENT_USAGES)), undefined)),
    /spec\.request.*IP subjectAltNames are not allowed/,
  );
  const wrongCn = await makeCsr({ cn: 'alice', o: ['system:nodes'] });
  assert.match(
    text(validateCsr(asCsr(csrObject('a', wrongCn.csrPem, SIGNER_KUBELET_CLIENT, CLIENT_USAGES)), undefined)),
    /does not begin with system:node:/,
  );
  const serving = ['digital signature', 'server auth'];
  const goodServing = await makeCsr({ cn: 'system:node:n1', o: ['system:nodes'], dns: ['n1'], ips: ['10.0.0.1'] });
  assert.deepEqual(validateCsr(asCsr(csrObject('a', goodServing.csrPem, SIGNER_KUBELET_SERVING, serving)), undefined), []);
  const noSan = await makeCsr({ cn: 'system:node:n1', o: ['system:nodes'] });
  assert.match(
    text(validateCsr(asCsr(csrObject('a', noSan.csrPem, SIGNER_KUBELET_SERVING, serving)), undefined)),
    /DNS or IP subjectAltName is required/,
  );
  const uri = await makeCsr({ cn: 'system:node:n1', o: ['system:nodes'], dns: ['n1'], uris: ['https://evil'] });
  assert.match(
    text(validateCsr(asCsr(csrObject('a', uri.csrPem, SIGNER_KUBELET_SERVING, serving)), undefined)),
    /URI subjectAltNames are not allowed/,
  );
  const email = await makeCsr({ cn: 'system:node:n1', o: ['system:nodes'], dns: ['n1'], emails: ['x@y.z'] });
  assert.match(
    text(validateCsr(asCsr(csrObject('a', email.csrPem, SIGNER_KUBELET_SERVING, serving)), undefined)),
    /Email subjectAltNames are not allowed/,
  );
});

test('condition and certificate rules on status and approval updates', async () => {
  const { csrPem } = await makeCsr({ cn: 'system:node:n1', o: ['system:nodes'] });
  const base = asCsr(csrObject('a', csrPem, SIGNER_KUBELET_CLIENT, CLIENT_USAGES));
  const approved = asCsr({ ...base, status: { conditions: [{ type: 'Approved', status: 'True' }] } });
  assert.match(text(validateCsrTransition(approved, base, 'status')), /updates may not add a condition of type "Approved"/);
  assert.deepEqual(validateCsrTransition(approved, base, 'approval'), []);
  assert.match(text(validateCsrTransition(base, approved, 'approval')), /may not remove a condition of type "Approved"/);
  const both = asCsr({
    ...base,
    status: {
      conditions: [
        { type: 'Approved', status: 'True' },
        { type: 'Denied', status: 'True' },
      ],
    },
  });
  assert.match(text(validateCsrTransition(both, base, 'approval')), /mutually exclusive/);
  const falseApproved = asCsr({ ...base, status: { conditions: [{ type: 'Approved', status: 'False' }] } });
  assert.match(text(validateCsrTransition(falseApproved, base, 'approval')), /status: Unsupported value: "False"/);
  const issued = asCsr({ ...approved, status: { ...approved.status, certificate: Buffer.from('junk').toString('base64') } });
  assert.match(text(validateCsrTransition(issued, approved, 'status')), /must contain at least one CERTIFICATE PEM block/);
  assert.match(text(validateCsrTransition(issued, approved, 'approval')), /updates may not set certificate content/);
  assert.equal(csrCondition(base), 'Pending');
  assert.equal(csrCondition(approved), 'Approved');
  assert.equal(
    csrCondition(
      asCsr({
        ...base,
        status: {
          conditions: [
            { type: 'Denied', status: 'True' },
            { type: 'Failed', status: 'True' },
          ],
        },
      }),
    ),
    'Denied,Failed',
  );
});

test('kubectl get csr columns', async () => {
  const { csrPem } = await makeCsr({ cn: 'system:node:n1', o: ['system:nodes'] });
  const obj = asCsr(
    csrObject('a', csrPem, SIGNER_KUBELET_CLIENT, CLIENT_USAGES, { expirationSeconds: 3600, username: 'system:bootstrap:abcdef' }),
  );
  obj.metadata.creationTimestamp = new Date(Date.now() - 5000).toISOString();
  assert.deepEqual(
    csrKind.table.columns.map((c) => c.name.toUpperCase()),
    ['NAME', 'AGE', 'SIGNERNAME', 'REQUESTOR', 'REQUESTEDDURATION', 'CONDITION'],
  );
  assert.deepEqual(csrKind.table.row(obj, Date.now()), ['a', '5s', SIGNER_KUBELET_CLIENT, 'system:bootstrap:abcdef', '60m', 'Pending']);
});
