import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyObject } from '../../../api/object.js';
import { secretKind } from '../../../api/kinds/core/secret.js';
import { configMapKind } from '../../../api/kinds/core/configmap.js';
import type { AdmissionRequest } from '../../admission/plugin.js';
import { adminUser } from '../user.js';
import { createServiceAccountAuthenticator } from './authenticator.js';
import { createTokenIssuer } from './issuer.js';
import { legacyTokenSecretsPlugin } from './legacy-token-secrets.js';
import { createFakeObjects, testSigningKey } from './testing/fake-objects.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';

const request = (object: AnyObject, kind = secretKind): AdmissionRequest =>
  ({
    operation: 'CREATE',
    kind,
    subresource: undefined,
    namespace: 'default',
    name: object.metadata.name ?? '',
    object,
    oldObject: undefined,
    user: adminUser(),
    dryRun: false,
    warn: () => undefined,
  }) as AdmissionRequest;

const secret = (annotations: Record<string, string>, type = 'kubernetes.io/service-account-token'): AnyObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'builder-token', namespace: 'default', annotations },
  type,
});

test('a service-account-token Secret gets a token, the CA and the namespace; the token authenticates', async () => {
  const key = await testSigningKey();
  const objects = createFakeObjects();
  objects.put('ServiceAccount', { name: 'builder', uid: 'sa-uid' });
  const issuer = createTokenIssuer(ISSUER, key);
  const plugin = legacyTokenSecretsPlugin(issuer, objects, 'CA PEM');
  const s = secret({ 'kubernetes.io/service-account.name': 'builder' });
  assert.equal(await plugin.mutate?.(request(s)), true);
  const data = s['data'] as Record<string, string>;
  const text = (k: string) => Buffer.from(data[k] ?? '', 'base64').toString('utf8');
  assert.equal(text('ca.crt'), 'CA PEM');
  assert.equal(text('namespace'), 'default');
  assert.equal(s.metadata.annotations?.['kubernetes.io/service-account.uid'], 'sa-uid');
  const payload = JSON.parse(Buffer.from(text('token').split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
  assert.equal(payload['iss'], 'kubernetes/serviceaccount');
  assert.equal(payload['kubernetes.io/serviceaccount/secret.name'], 'builder-token');
  objects.put('Secret', { name: 'builder-token', uid: 's', data });
  const auth = createServiceAccountAuthenticator({
    issuers: [ISSUER],
    audiences: [ISSUER],
    keys: [key],
    lookup: objects,
    clock: { now: Date.now },
  });
  assert.equal((await auth.authenticateToken(text('token')))?.user.name, 'system:serviceaccount:default:builder');
  // already filled: left alone
  assert.equal(await plugin.mutate?.(request(s)), false);
});

test('other Secrets, other kinds, a missing ServiceAccount or another uid: untouched', async () => {
  const key = await testSigningKey();
  const objects = createFakeObjects();
  objects.put('ServiceAccount', { name: 'builder', uid: 'sa-uid' });
  const plugin = legacyTokenSecretsPlugin(createTokenIssuer(ISSUER, key), objects, 'CA');
  const cases = [
    secret({ 'kubernetes.io/service-account.name': 'builder' }, 'Opaque'),
    secret({ 'kubernetes.io/service-account.name': 'ghost' }),
    secret({ 'kubernetes.io/service-account.name': 'builder', 'kubernetes.io/service-account.uid': 'older' }),
    secret({}),
  ];
  for (const s of cases) {
    assert.equal(await plugin.mutate?.(request(s)), false);
    assert.equal(s['data'], undefined);
  }
  assert.equal(await plugin.mutate?.(request(secret({ 'kubernetes.io/service-account.name': 'builder' }), configMapKind)), false);
});
