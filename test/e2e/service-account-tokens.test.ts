// ServiceAccount tokens end to end: `tandem server` and the real kubectl. `kubectl create token`
// (a protobuf TokenRequest) gives a JWT that works as a bearer token (`kubectl auth whoami`), is
// refused elsewhere with upstream's 403 naming the ServiceAccount, dies with the Secret it is bound
// to, is judged by TokenReview, and verifies against the served JWKS.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { kubectlAvailable, startTandem, type TandemProcess } from './harness.js';
import { SKIP_MESSAGE, waitFor } from './kubectl-support.js';
import { createRawClient } from './raw-client.js';

const skip = !kubectlAvailable() && SKIP_MESSAGE;
const ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** kubectl as `token` (the kubeconfig still supplies the server and its CA). */
const as = (t: TandemProcess, token: string, args: string[]) => t.kubectl(['--token', token, ...args]);

const payloadOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

test('ServiceAccount tokens with kubectl', { skip, timeout: 120_000 }, async (t) => {
  const tandem = await startTandem({ env: { TANDEM_TOKEN_CACHE_TTL_MS: '200' } });
  t.after(() => tandem.stop());
  const raw = createRawClient({ url: tandem.url, caPem: tandem.caPem(), token: tandem.token() });
  t.after(() => raw.close());

  if (process.platform !== 'win32') assert.equal(statSync(join(tandem.dataDir, 'pki', 'sa.key')).mode & 0o777, 0o600);
  // the namespace's default ServiceAccount comes from the controller
  assert.ok(await waitFor(() => tandem.kubectl(['get', 'sa', 'default']).code === 0, 20_000), 'the default ServiceAccount exists');

  await t.test('kubectl create token: a JWT with upstream claims that authenticates', () => {
    const r = tandem.kubectl(['create', 'token', 'default']);
    assert.equal(r.code, 0, r.stderr);
    const token = r.stdout.trim();
    const claims = payloadOf(token);
    assert.equal(claims['iss'], ISSUER);
    assert.deepEqual(claims['aud'], [ISSUER]);
    assert.equal(claims['sub'], 'system:serviceaccount:default:default');
    assert.equal(Number(claims['exp']) - Number(claims['iat']), 3600);
    const who = as(tandem, token, ['auth', 'whoami']);
    assert.equal(who.code, 0, who.stderr);
    assert.match(who.stdout, /Username\s+system:serviceaccount:default:default/);
    assert.match(who.stdout, /Groups\s+\[system:serviceaccounts system:serviceaccounts:default system:authenticated\]/);
    assert.match(who.stdout, /Extra: authentication\.kubernetes\.io\/credential-id\s+\[JTI=/);
    // with nothing granted, the ServiceAccount is refused with upstream's message naming it
    const pods = as(tandem, token, ['get', 'pods']);
    assert.notEqual(pods.code, 0);
    assert.match(
      pods.stderr,
      /Error from server \(Forbidden\): pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"/,
    );
  });

  await t.test('--duration and --audience; bad durations are refused with the field named', () => {
    const r = tandem.kubectl(['create', 'token', 'default', '--duration', '2h', '--audience', 'vault', '--audience', 'other']);
    assert.equal(r.code, 0, r.stderr);
    const claims = payloadOf(r.stdout.trim());
    assert.deepEqual(claims['aud'], ['vault', 'other']);
    assert.equal(Number(claims['exp']) - Number(claims['iat']), 7200);
    // a token for another audience is no credential for the API server
    const who = as(tandem, r.stdout.trim(), ['auth', 'whoami']);
    assert.notEqual(who.code, 0);
    assert.match(who.stderr, /Unauthorized|must be logged in/);
    const short = tandem.kubectl(['create', 'token', 'default', '--duration', '5m']);
    assert.notEqual(short.code, 0);
    assert.match(short.stderr, /spec\.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes/);
    const ghost = tandem.kubectl(['create', 'token', 'ghost']);
    assert.match(ghost.stderr, /serviceaccounts "ghost" not found/);
  });

  await t.test('a token bound to a Secret stops working when the Secret is deleted', async () => {
    assert.equal(tandem.kubectl(['create', 'secret', 'generic', 'holder', '--from-literal=a=b']).code, 0);
    const r = tandem.kubectl(['create', 'token', 'default', '--bound-object-kind', 'Secret', '--bound-object-name', 'holder']);
    assert.equal(r.code, 0, r.stderr);
    const token = r.stdout.trim();
    const k8s = payloadOf(token)['kubernetes.io'] as { secret?: { name: string } };
    assert.equal(k8s.secret?.name, 'holder');
    assert.equal(as(tandem, token, ['auth', 'whoami']).code, 0);
    assert.equal(tandem.kubectl(['delete', 'secret', 'holder']).code, 0);
    assert.ok(await waitFor(() => as(tandem, token, ['auth', 'whoami']).code !== 0, 5_000), 'refused once the Secret is gone');
    assert.match(as(tandem, token, ['auth', 'whoami']).stderr, /Unauthorized|must be logged in/);
    // and a binding to something that does not exist is refused outright
    const missing = tandem.kubectl(['create', 'token', 'default', '--bound-object-kind', 'Pod', '--bound-object-name', 'nope']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /pods "nope" not found/);
  });

  await t.test('a legacy service-account-token Secret is filled, and its token works until the Secret goes', async () => {
    const manifest = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'default-legacy', annotations: { 'kubernetes.io/service-account.name': 'default' } },
      type: 'kubernetes.io/service-account-token',
    });
    const created = tandem.kubectl(['create', '-f', '-', '-o', 'json'], { input: manifest });
    assert.equal(created.code, 0, created.stderr);
    const data = (JSON.parse(created.stdout) as { data: Record<string, string> }).data;
    const text = (k: string) => Buffer.from(data[k] ?? '', 'base64').toString('utf8');
    assert.equal(text('namespace'), 'default');
    assert.equal(text('ca.crt'), tandem.caPem());
    const token = text('token');
    assert.equal(payloadOf(token)['iss'], 'kubernetes/serviceaccount');
    const who = as(tandem, token, ['auth', 'whoami']);
    assert.equal(who.code, 0, who.stderr);
    assert.match(who.stdout, /Username\s+system:serviceaccount:default:default/);
    assert.equal(tandem.kubectl(['delete', 'secret', 'default-legacy']).code, 0);
    assert.ok(await waitFor(() => as(tandem, token, ['auth', 'whoami']).code !== 0, 5_000), 'refused once the Secret is gone');
  });

  await t.test('TokenReview answers authenticated true and false', async () => {
    const token = tandem.kubectl(['create', 'token', 'default']).stdout.trim();
    const review = async (tok: string, audiences?: string[]) => {
      const body = JSON.stringify({
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token: tok, ...(audiences ? { audiences } : {}) },
      });
      const res = await raw.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        body,
        headers: { 'Content-Type': 'application/json' },
      });
      assert.equal(res.status, 201, res.text);
      return (JSON.parse(res.text) as { status: Record<string, unknown> }).status;
    };
    const ok = await review(token);
    assert.equal(ok['authenticated'], true);
    assert.equal((ok['user'] as { username: string }).username, 'system:serviceaccount:default:default');
    assert.deepEqual(ok['audiences'], [ISSUER]);
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(342)}`;
    const bad = await review(forged);
    assert.equal(bad['authenticated'], undefined);
    assert.match(String(bad['error']), /invalid bearer token/);
    const otherAud = await review(token, ['vault']);
    assert.equal(otherAud['authenticated'], undefined);
    assert.match(String(otherAud['error']), /token audiences .* is invalid for the target audiences/);
    const garbage = await review('not-a-token');
    assert.equal(garbage['error'], 'invalid bearer token');
    const empty = await raw.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      body: '{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{}}',
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(empty.status, 400);
    assert.match(empty.text, /token is required for TokenReview in authentication/);
    // a malformed bearer token on a request is a 401, never a crash
    for (const bogus of [
      'a.b.c',
      'eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2t1YmVybmV0ZXMuZGVmYXVsdC5zdmMuY2x1c3Rlci5sb2NhbCJ9.',
      'x'.repeat(15_000),
      `${'a'.repeat(5000)}.${'b'.repeat(5000)}.${'c'.repeat(5000)}`,
    ]) {
      const res = await raw.request('GET', '/api/v1/namespaces', { token: bogus });
      assert.equal(res.status, 401, bogus.slice(0, 40));
    }
  });

  await t.test('discovery lists the token subresource and the review kinds', () => {
    const res = tandem.kubectl(['api-resources', '--api-group', 'authentication.k8s.io', '-o', 'wide']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /tokenreviews\s+authentication\.k8s\.io\/v1\s+false\s+TokenReview\s+create/);
    assert.match(res.stdout, /selfsubjectreviews\s+authentication\.k8s\.io\/v1\s+false\s+SelfSubjectReview\s+create/);
    const core = tandem.kubectl(['get', '--raw', '/api/v1']);
    const sub = (JSON.parse(core.stdout) as { resources: { name: string; kind: string; verbs: string[] }[] }).resources.find(
      (r) => r.name === 'serviceaccounts/token',
    );
    assert.deepEqual(sub && { kind: sub.kind, verbs: sub.verbs }, { kind: 'TokenRequest', verbs: ['create'] });
  });

  await t.test('OIDC discovery and a JWKS that verifies the tokens', async () => {
    const cfgRes = await raw.request('GET', '/.well-known/openid-configuration');
    assert.equal(cfgRes.status, 200, cfgRes.text);
    assert.equal(cfgRes.headers['cache-control'], 'public, max-age=3600');
    const cfg = JSON.parse(cfgRes.text) as Record<string, unknown>;
    assert.deepEqual(cfg, {
      issuer: ISSUER,
      jwks_uri: `https://127.0.0.1:${tandem.port}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const jwksRes = await raw.request('GET', '/openid/v1/jwks');
    assert.equal(jwksRes.status, 200);
    assert.equal(jwksRes.headers['content-type'], 'application/jwk-set+json');
    const { keys } = JSON.parse(jwksRes.text) as { keys: (JsonWebKey & { kid: string })[] };
    const token = tandem.kubectl(['create', 'token', 'default']).stdout.trim();
    const [h, p, s] = token.split('.') as [string, string, string];
    const kid = (JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string }).kid;
    const jwk = keys.find((k) => k.kid === kid);
    assert.ok(jwk, 'the token names a key of the JWKS');
    assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url')));
    // without credentials: 401, as every non-public path
    assert.equal((await raw.request('GET', '/openid/v1/jwks', { token: null })).status, 401);
  });
});

test('--service-account-issuer and --api-audiences', { skip, timeout: 60_000 }, async (t) => {
  const tandem = await startTandem({ args: ['--service-account-issuer', 'https://issuer.example', '--api-audiences', 'api-a,api-b'] });
  t.after(() => tandem.stop());
  assert.ok(await waitFor(() => tandem.kubectl(['get', 'sa', 'default']).code === 0, 20_000));
  const token = tandem.kubectl(['create', 'token', 'default']).stdout.trim();
  const claims = payloadOf(token);
  assert.equal(claims['iss'], 'https://issuer.example');
  assert.deepEqual(claims['aud'], ['api-a', 'api-b']);
  assert.equal(as(tandem, token, ['auth', 'whoami']).code, 0);
  const onlyB = tandem.kubectl(['create', 'token', 'default', '--audience', 'api-b']).stdout.trim();
  assert.equal(as(tandem, onlyB, ['auth', 'whoami']).code, 0);
  const cfg = tandem.kubectl(['get', '--raw', '/.well-known/openid-configuration']);
  assert.equal((JSON.parse(cfg.stdout) as { issuer: string }).issuer, 'https://issuer.example');
});
