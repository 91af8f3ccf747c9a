// Transport policy (plain HTTP only to loopback and named insecure registries) and challenge parsing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChallenges } from './auth.js';
import { InsecureTransportError, plainHttpAllowed, registryBaseUrl, send } from './transport.js';

test('plain HTTP only for loopback and insecure registries', () => {
  for (const h of ['127.0.0.1:5000', '127.1.2.3', 'localhost:5000', 'LOCALHOST', '[::1]:5000', 'a.localhost'])
    assert.ok(plainHttpAllowed(h), h);
  for (const h of ['10.0.0.1:5000', 'registry.local:5000', 'docker.io', '128.0.0.1', 'localhost.example.com'])
    assert.ok(!plainHttpAllowed(h), h);
  assert.ok(plainHttpAllowed('registry.local:5000', ['registry.local:5000']));
  assert.ok(plainHttpAllowed('registry.local:5000', ['registry.local']));
  assert.ok(!plainHttpAllowed('registry.local:5000', ['other.local']));
  assert.equal(registryBaseUrl('10.0.0.1:5000'), 'https://10.0.0.1:5000');
  assert.equal(registryBaseUrl('10.0.0.1:5000', ['10.0.0.1:5000']), 'http://10.0.0.1:5000');
});

test('a plain-HTTP URL to another host is refused before any connection', async () => {
  // 192.0.2.0/24 is TEST-NET-1: nothing answers there, so reaching the refusal proves no connect was tried
  await assert.rejects(send({ method: 'GET', url: 'http://192.0.2.1:5000/v2/' }, {}), InsecureTransportError);
  await assert.rejects(
    send({ method: 'GET', url: 'http://registry.example/v2/' }, { insecureRegistries: ['other'] }),
    /refusing plain HTTP/,
  );
});

test('WWW-Authenticate challenges parse', () => {
  assert.deepEqual(
    parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"'),
    [
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' },
      },
    ],
  );
  assert.deepEqual(parseChallenges('Basic realm="Registry Realm"'), [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
  assert.deepEqual(parseChallenges(['Basic realm=x, Bearer realm="a\\"b",error=invalid_token']), [
    { scheme: 'basic', params: { realm: 'x' } },
    { scheme: 'bearer', params: { realm: 'a"b', error: 'invalid_token' } },
  ]);
  assert.deepEqual(parseChallenges(undefined), []);
});
