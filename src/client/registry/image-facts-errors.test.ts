// The failures no loopback test can provoke (DNS, TLS, a token server's refusal), told apart and
// put in plain words; the real registry and in-process servers cover the rest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RegistryAuthError } from './auth.js';
import { explainFailure } from './image-facts-errors.js';

const ctx = { registry: 'registry.contoso.com', image: 'contoso/app:1.4', anonymous: false };
const sysError = (code: string, message: string) => Object.assign(new Error(message), { code });

test('resolver and TLS errors are RegistryUnavailable, in plain words', () => {
  assert.deepEqual(explainFailure(sysError('ENOTFOUND', 'getaddrinfo ENOTFOUND registry.contoso.com'), ctx), {
    reason: 'RegistryUnavailable',
    message:
      'registry registry.contoso.com is unreachable for contoso/app:1.4: the host name does not resolve (getaddrinfo ENOTFOUND registry.contoso.com)',
  });
  const tls = explainFailure(sysError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), ctx);
  assert.equal(tls.reason, 'RegistryUnavailable');
  assert.match(tls.message, /could not be reached over TLS for contoso\/app:1\.4: self-signed certificate; give tandem its CA certificate/);
});

test('a refusal with credentials says to check the secret; without, to add one', () => {
  const refused = new RegistryAuthError('token request to https://auth.contoso.com/token for repository:contoso/app:pull failed: HTTP 401');
  const withSecret = explainFailure(refused, ctx);
  assert.equal(withSecret.reason, 'RegistryUnauthorized');
  assert.match(
    withSecret.message,
    /^registry registry\.contoso\.com answered 401 Unauthorized for contoso\/app:1\.4: it refused the credentials/,
  );
  assert.match(withSecret.message, /token request to https:\/\/auth\.contoso\.com\/token/);
  assert.match(withSecret.message, /check the imagePullSecret for registry\.contoso\.com$/);
  assert.match(
    explainFailure(refused, { ...ctx, anonymous: true }).message,
    /it needs credentials; add an imagePullSecret for registry\.contoso\.com$/,
  );
});

test('anything else is RegistryError naming the registry and the image', () => {
  assert.deepEqual(explainFailure('boom', ctx), {
    reason: 'RegistryError',
    message: 'reading contoso/app:1.4 from registry registry.contoso.com failed: boom',
  });
  assert.equal(explainFailure(new Error('unsupported URL scheme ftp:'), ctx).reason, 'RegistryError');
});
