import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../base/errors.js';
import { createTokenIssuer } from './issuer.js';
import { verifyJws } from './jwt.js';
import { createFakeObjects, testSigningKey } from './testing/fake-objects.js';
import { createTokenRequest, parseTokenRequestSpec } from './token-request.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const T0 = Date.parse('2025-03-01T12:00:00Z');

async function setup() {
  const key = await testSigningKey();
  const objects = createFakeObjects();
  objects.put('ServiceAccount', { name: 'default', uid: 'sa-uid' });
  const deps = { issuer: createTokenIssuer(ISSUER, key), lookup: objects, apiAudiences: [ISSUER], now: () => T0 };
  const payloadOf = (token: string) => {
    const r = verifyJws(token, [key]);
    assert.ok(r.ok);
    return r.payload;
  };
  return { objects, deps, payloadOf };
}

/** Runs `fn`, expecting a StatusError; returns it. */
async function statusOf(fn: () => unknown): Promise<StatusError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  assert.fail('expected a StatusError');
}

test('defaults: an hour, the API server audiences, unbound', async () => {
  const { deps, payloadOf } = await setup();
  const { object, warnings } = await createTokenRequest(deps, 'default', 'default', {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
  });
  assert.deepEqual(warnings, []);
  assert.equal(object['kind'], 'TokenRequest');
  assert.deepEqual(object['spec'], { audiences: [ISSUER], expirationSeconds: 3600 });
  const status = object['status'] as { token: string; expirationTimestamp: string };
  assert.equal(status.expirationTimestamp, '2025-03-01T13:00:00Z');
  const p = payloadOf(status.token);
  assert.equal(p['iss'], ISSUER);
  assert.equal(p['sub'], 'system:serviceaccount:default:default');
  assert.deepEqual(p['aud'], [ISSUER]);
  assert.equal(p['exp'], T0 / 1000 + 3600);
  assert.equal(p['iat'], T0 / 1000);
  assert.equal(p['nbf'], T0 / 1000);
  assert.match(String(p['jti']), /^[0-9a-f-]{36}$/);
  assert.deepEqual(p['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'default', uid: 'sa-uid' } });
});

test('expirationSeconds below ten minutes or above 2^32 is a 422 naming the field', async () => {
  const { deps } = await setup();
  const short = await statusOf(() => createTokenRequest(deps, 'default', 'default', { spec: { expirationSeconds: 599 } }));
  assert.equal(short.code, 422);
  assert.equal(
    short.message,
    'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes',
  );
  assert.equal(short.details?.causes?.[0]?.field, 'spec.expirationSeconds');
  const long = await statusOf(() => createTokenRequest(deps, 'default', 'default', { spec: { expirationSeconds: 2 ** 32 + 1 } }));
  assert.match(long.message, /may not specify a duration larger than 2\^32 seconds/);
  for (const bad of ['600', 600.5, true, { n: 1 }]) {
    const e = await statusOf(() => createTokenRequest(deps, 'default', 'default', { spec: { expirationSeconds: bad } }));
    assert.equal(e.code, 422, JSON.stringify(bad));
    assert.equal(e.details?.causes?.[0]?.field, 'spec.expirationSeconds');
  }
});

test('malformed audiences, spec and boundObjectRef are 422s naming the field', () => {
  const cases: [unknown, string][] = [
    [{ spec: { audiences: 'vault' } }, 'spec.audiences'],
    [{ spec: { audiences: ['ok', ''] } }, 'spec.audiences[1]'],
    [{ spec: { audiences: [3] } }, 'spec.audiences[0]'],
    [{ spec: [] }, 'spec'],
    [{ spec: { boundObjectRef: 'pod' } }, 'spec.boundObjectRef'],
    [{ spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1' } } }, 'spec.boundObjectRef.name'],
    [{ spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: '../x' } } }, 'spec.boundObjectRef.name'],
    [{ spec: { boundObjectRef: { kind: 7, apiVersion: 'v1', name: 'x' } } }, 'spec.boundObjectRef.kind'],
    [{ metadata: { name: 'other' } }, 'metadata.name'],
    [{ metadata: { namespace: 'kube-system' } }, 'metadata.namespace'],
  ];
  for (const [body, field] of cases) {
    assert.throws(
      () => parseTokenRequestSpec(body as Record<string, unknown>, 'default', 'default', [ISSUER]),
      (e: unknown) => e instanceof StatusError && e.code === 422 && e.details?.causes?.[0]?.field === field,
      JSON.stringify(body),
    );
  }
  assert.throws(() => parseTokenRequestSpec({ kind: 'Pod' }, 'default', 'default', [ISSUER]), /expected a TokenRequest/);
});

test('the ServiceAccount must exist', async () => {
  const { deps } = await setup();
  const e = await statusOf(() => createTokenRequest(deps, 'default', 'ghost', {}));
  assert.equal(e.code, 404);
  assert.equal(e.message, 'serviceaccounts "ghost" not found');
});

test('a bound object must exist, with the uid given', async () => {
  const { deps, objects, payloadOf } = await setup();
  const ref = (o: Record<string, string>) => ({ spec: { boundObjectRef: { apiVersion: 'v1', ...o } } });
  const missing = await statusOf(() => createTokenRequest(deps, 'default', 'default', ref({ kind: 'Secret', name: 'gone' })));
  assert.equal(missing.code, 404);
  assert.equal(missing.message, 'secrets "gone" not found');
  assert.equal(missing.details?.causes?.[0]?.field, 'spec.boundObjectRef.name');
  objects.put('Secret', { name: 's1', uid: 'sec-uid' });
  const mismatch = await statusOf(() => createTokenRequest(deps, 'default', 'default', ref({ kind: 'Secret', name: 's1', uid: 'old' })));
  assert.equal(mismatch.code, 409);
  assert.match(
    mismatch.message,
    /^Operation cannot be fulfilled on Secret "s1": the UID in the bound object reference \(old\) does not match/,
  );
  assert.equal(mismatch.details?.causes?.[0]?.field, 'spec.boundObjectRef.uid');
  const ok = await createTokenRequest(deps, 'default', 'default', ref({ kind: 'Secret', name: 's1', uid: 'sec-uid' }));
  const p = payloadOf((ok.object['status'] as { token: string }).token);
  assert.deepEqual((p['kubernetes.io'] as Record<string, unknown>)['secret'], { name: 's1', uid: 'sec-uid' });
  const other = await statusOf(() =>
    createTokenRequest(deps, 'default', 'default', { spec: { boundObjectRef: { kind: 'Deployment', apiVersion: 'apps/v1', name: 'd' } } }),
  );
  assert.equal(other.code, 400);
  assert.equal(other.message, 'cannot bind token to object of type apps/v1, Kind=Deployment');
  const cm = await statusOf(() => createTokenRequest(deps, 'default', 'default', ref({ kind: 'ConfigMap', name: 'c' })));
  assert.equal(cm.message, 'cannot bind token to object of type /v1, Kind=ConfigMap');
});

test("a Pod binding records the pod's node, and needs the pod's own ServiceAccount", async () => {
  const { deps, objects, payloadOf } = await setup();
  objects.put('Pod', { name: 'web', uid: 'pod-uid', spec: { serviceAccountName: 'default', nodeName: 'n1' } });
  objects.put('Node', { name: 'n1', uid: 'node-uid' });
  const body = { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web' } } };
  const r = await createTokenRequest(deps, 'default', 'default', body);
  const k8s = payloadOf((r.object['status'] as { token: string }).token)['kubernetes.io'];
  assert.deepEqual(k8s, {
    namespace: 'default',
    node: { name: 'n1', uid: 'node-uid' },
    pod: { name: 'web', uid: 'pod-uid' },
    serviceaccount: { name: 'default', uid: 'sa-uid' },
  });
  objects.remove('Node', '', 'n1');
  const noNode = await createTokenRequest(deps, 'default', 'default', body);
  assert.deepEqual((payloadOf((noNode.object['status'] as { token: string }).token)['kubernetes.io'] as Record<string, unknown>)['node'], {
    name: 'n1',
  });
  objects.put('ServiceAccount', { name: 'robot', uid: 'r' });
  const e = await statusOf(() => createTokenRequest(deps, 'default', 'robot', body));
  assert.equal(e.code, 400);
  assert.equal(e.message, 'cannot bind token for serviceaccount "robot" to pod running with different serviceaccount name.');
});

test("the kubelet's 3607 s pod-bound request is extended to a year, with warnafter", async () => {
  const { deps, objects, payloadOf } = await setup();
  objects.put('Pod', { name: 'web', uid: 'pod-uid', spec: { serviceAccountName: 'default' } });
  const body = { spec: { expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'pod-uid' } } };
  const r = await createTokenRequest(deps, 'default', 'default', body);
  const status = r.object['status'] as { token: string; expirationTimestamp: string };
  assert.equal(status.expirationTimestamp, '2025-03-01T13:00:07Z');
  const p = payloadOf(status.token);
  assert.equal(p['exp'], T0 / 1000 + 365 * 24 * 3600);
  assert.equal((p['kubernetes.io'] as Record<string, unknown>)['warnafter'], T0 / 1000 + 3607);
  // not for other audiences
  const vault = await createTokenRequest(deps, 'default', 'default', { spec: { ...body.spec, audiences: ['vault'] } });
  assert.equal(payloadOf((vault.object['status'] as { token: string }).token)['exp'], T0 / 1000 + 3607);
});

test('a maximum expiration shortens longer requests with a warning', async () => {
  const { deps, payloadOf } = await setup();
  const r = await createTokenRequest({ ...deps, maxExpirationSeconds: 7200 }, 'default', 'default', { spec: { expirationSeconds: 86400 } });
  assert.deepEqual(r.warnings, ['requested expiration of 86400 seconds shortened to 7200 seconds']);
  assert.equal(payloadOf((r.object['status'] as { token: string }).token)['exp'], T0 / 1000 + 7200);
});
