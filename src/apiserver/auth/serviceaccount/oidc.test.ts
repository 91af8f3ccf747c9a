import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { createTokenIssuer } from './issuer.js';
import { createOidcDiscovery } from './oidc.js';
import { testSigningKey } from './testing/fake-objects.js';

test("the discovery document has upstream's fields and the JWKS verifies our tokens", async () => {
  const key = await testSigningKey();
  const oidc = createOidcDiscovery('https://kubernetes.default.svc.cluster.local', [key]);
  assert.ok(typeof oidc !== 'string');
  assert.deepEqual(JSON.parse(oidc.configJson('10.0.0.1:6443')), {
    issuer: 'https://kubernetes.default.svc.cluster.local',
    jwks_uri: 'https://10.0.0.1:6443/openid/v1/jwks',
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  });
  const jwks = JSON.parse(oidc.jwksJson) as { keys: (JsonWebKey & { kid: string; use: string; alg: string })[] };
  assert.equal(jwks.keys.length, 1);
  const jwk = jwks.keys[0]!;
  assert.deepEqual(Object.keys(jwk), ['use', 'kty', 'kid', 'alg', 'n', 'e']);
  assert.equal(jwk.kid, key.kid);
  const { token } = createTokenIssuer('https://kubernetes.default.svc.cluster.local', key).issue(
    { namespace: 'default', serviceAccount: { name: 'a', uid: 'b' }, audiences: ['x'], expirationSeconds: 600 },
    Date.now(),
  );
  const [h, p, s] = token.split('.') as [string, string, string];
  assert.equal((JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string }).kid, jwk.kid);
  const pub = createPublicKey({ key: jwk, format: 'jwk' });
  assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), pub, Buffer.from(s, 'base64url')));
});

test('an issuer that is not an https URL gets no discovery, with the reason', async () => {
  const key = await testSigningKey();
  assert.equal(createOidcDiscovery('urn:tandem', [key]), 'issuer URL must use https scheme, got: urn:tandem');
  assert.match(String(createOidcDiscovery('https://a/?q=1', [key])), /may not include a query/);
  assert.match(String(createOidcDiscovery('https://a/#f', [key])), /may not include a fragment/);
  assert.match(String(createOidcDiscovery('not a url', [key])), /is not a URL/);
});
