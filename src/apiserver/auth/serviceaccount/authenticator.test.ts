import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../../../base/testing/manual-clock.js';
import { createServiceAccountAuthenticator, type Verdict } from './authenticator.js';
import { createTokenIssuer } from './issuer.js';
import { signJws } from './jwt.js';
import { createFakeObjects, testSigningKey } from './testing/fake-objects.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const T0 = Date.parse('2025-01-01T00:00:00Z');

async function setup(cacheTtlMs = 0) {
  const key = await testSigningKey();
  const clock = createManualClock(T0);
  const objects = createFakeObjects();
  objects.put('ServiceAccount', { name: 'builder', uid: 'sa-uid' });
  const issuer = createTokenIssuer(ISSUER, key);
  const auth = createServiceAccountAuthenticator({
    issuers: [ISSUER],
    audiences: [ISSUER],
    keys: [key],
    lookup: objects,
    clock,
    cacheTtlMs,
  });
  const issue = (extra: Partial<Parameters<typeof issuer.issue>[0]> = {}, lifetime = 3600) =>
    issuer.issue(
      {
        namespace: 'default',
        serviceAccount: { name: 'builder', uid: 'sa-uid' },
        audiences: [ISSUER],
        expirationSeconds: lifetime,
        ...extra,
      },
      clock.now(),
    ).token;
  return { key, clock, objects, auth, issue, issuer };
}

const reason = (v: Verdict) => (v.ok ? 'ok' : v.reason);

test('a fresh token names the ServiceAccount as upstream does', async () => {
  const { auth, issue } = await setup();
  const token = issue();
  const r = await auth.authenticateToken(token);
  assert.ok(r);
  assert.equal(r.user.name, 'system:serviceaccount:default:builder');
  assert.equal(r.user.uid, 'sa-uid');
  assert.deepEqual(r.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
  assert.deepEqual(Object.keys(r.user.extra ?? {}), ['authentication.kubernetes.io/credential-id']);
  assert.match(r.user.extra?.['authentication.kubernetes.io/credential-id']?.[0] ?? '', /^JTI=[0-9a-f-]{36}$/);
  assert.deepEqual(r.audiences, [ISSUER]);
});

test('expiry and not-before, with a minute of leeway', async () => {
  const { auth, issue, clock } = await setup();
  const token = issue({}, 600);
  clock.advance(600_000 + 59_000);
  assert.equal(reason(await auth.verify(token)), 'ok');
  clock.advance(2_000);
  assert.equal(reason(await auth.verify(token)), 'service account token has expired');
  // issued in the future (another server's clock ahead): refused beyond the leeway
  const { auth: auth2, issuer, clock: c2 } = await setup();
  const claims = { namespace: 'default', serviceAccount: { name: 'builder', uid: 'sa-uid' }, audiences: [ISSUER], expirationSeconds: 600 };
  assert.equal(reason(await auth2.verify(issuer.issue(claims, c2.now() + 50_000).token)), 'ok');
  assert.equal(reason(await auth2.verify(issuer.issue(claims, c2.now() + 120_000).token)), 'service account token is not valid yet');
});

test('audiences: the server accepts its own; a TokenReview asks for others', async () => {
  const { auth, issue } = await setup();
  const vault = issue({ audiences: ['vault'] });
  assert.match(reason(await auth.verify(vault)), /token audiences \["vault"\] is invalid for the target audiences/);
  assert.equal(await auth.authenticateToken(vault), undefined);
  const asVault = await auth.authenticateToken(vault, ['vault', 'other']);
  assert.deepEqual(asVault?.audiences, ['vault']);
  const both = issue({ audiences: [ISSUER, 'vault'] });
  assert.deepEqual((await auth.authenticateToken(both))?.audiences, [ISSUER]);
});

test('the ServiceAccount must still exist with the same uid', async () => {
  const { auth, issue, objects } = await setup();
  const token = issue();
  objects.put('ServiceAccount', { name: 'builder', uid: 'recreated' });
  assert.equal(reason(await auth.verify(token)), 'service account UID (recreated) does not match claim (sa-uid)');
  objects.remove('ServiceAccount', 'default', 'builder');
  assert.equal(reason(await auth.verify(token)), 'serviceaccounts "builder" not found');
});

test('a Secret-bound token dies with its Secret', async () => {
  const { auth, issue, objects } = await setup();
  objects.put('Secret', { name: 's1', uid: 'sec-uid' });
  const token = issue({ secret: { name: 's1', uid: 'sec-uid' } });
  assert.equal(reason(await auth.verify(token)), 'ok');
  objects.put('Secret', { name: 's1', uid: 'other' });
  assert.match(reason(await auth.verify(token)), /secret UID \(other\) does not match/);
  objects.remove('Secret', 'default', 's1');
  assert.equal(reason(await auth.verify(token)), 'service account token has been invalidated');
});

test('a Pod-bound token: pod and node in extra; refused once the deletion is past the leeway', async () => {
  const { auth, issue, objects, clock } = await setup();
  objects.put('Pod', { name: 'web', uid: 'pod-uid' });
  const token = issue({ pod: { name: 'web', uid: 'pod-uid' }, node: { name: 'n1', uid: 'node-uid' } });
  const r = await auth.authenticateToken(token);
  assert.deepEqual(r?.user.extra, {
    'authentication.kubernetes.io/pod-name': ['web'],
    'authentication.kubernetes.io/pod-uid': ['pod-uid'],
    'authentication.kubernetes.io/node-name': ['n1'],
    'authentication.kubernetes.io/node-uid': ['node-uid'],
    'authentication.kubernetes.io/credential-id': r?.user.extra?.['authentication.kubernetes.io/credential-id'],
  });
  // the pod's node is only reported, never checked: no Node object exists here
  const deleting = new Date(clock.now() + 30_000).toISOString();
  objects.put('Pod', { name: 'web', uid: 'pod-uid', deletionTimestamp: deleting });
  assert.equal(reason(await auth.verify(token)), 'ok');
  clock.advance(30_000 + 61_000);
  assert.equal(reason(await auth.verify(token)), 'service account token has been invalidated');
});

test('a Node-bound token lives as long as its Node', async () => {
  const { auth, issue, objects } = await setup();
  objects.put('Node', { name: 'n1', uid: 'node-uid' });
  const token = issue({ node: { name: 'n1', uid: 'node-uid' } });
  const r = await auth.verify(token);
  assert.ok(r.ok);
  assert.deepEqual(r.user.extra?.['authentication.kubernetes.io/node-uid'], ['node-uid']);
  objects.put('Node', { name: 'n1', uid: 'new' });
  assert.match(reason(await auth.verify(token)), /node UID \(new\) does not match/);
});

test('tokens of other issuers, unsigned claims and malformed private claims are refused', async () => {
  const { auth, key, clock } = await setup();
  const now = Math.floor(clock.now() / 1000);
  const base = { aud: [ISSUER], exp: now + 600, iat: now, nbf: now, sub: 'system:serviceaccount:default:builder' };
  const k8s = { namespace: 'default', serviceaccount: { name: 'builder', uid: 'sa-uid' } };
  assert.equal(
    reason(await auth.verify(signJws({ ...base, iss: 'https://evil', 'kubernetes.io': k8s }, key))),
    'not a service account token of this issuer',
  );
  assert.equal(reason(await auth.verify(signJws({ ...base, iss: ISSUER }, key))), 'token has no kubernetes.io claim');
  assert.equal(
    reason(await auth.verify(signJws({ ...base, iss: ISSUER, 'kubernetes.io': { ...k8s, serviceaccount: 'builder' } }, key))),
    'kubernetes.io serviceaccount claim is not an object',
  );
  const { exp: _exp, ...noExp } = base;
  assert.equal(
    reason(await auth.verify(signJws({ ...noExp, iss: ISSUER, 'kubernetes.io': k8s }, key))),
    'service account token has no expiry',
  );
  assert.match(reason(await auth.verify(signJws({ ...base, aud: 7, iss: ISSUER, 'kubernetes.io': k8s }, key))), /aud is neither/);
  assert.equal(reason(await auth.verify('garbage')), 'not a service account token of this issuer');
  assert.equal(await auth.authenticateToken('a.b.c'), undefined);
});

test('a store that fails refuses the token instead of throwing', async () => {
  const key = await testSigningKey();
  const issuer = createTokenIssuer(ISSUER, key);
  const auth = createServiceAccountAuthenticator({
    issuers: [ISSUER],
    audiences: [ISSUER],
    keys: [key],
    lookup: { get: () => Promise.reject(new Error('disk on fire')) },
    clock: { now: () => T0 },
  });
  const { token } = issuer.issue(
    { namespace: 'default', serviceAccount: { name: 'a', uid: 'b' }, audiences: [ISSUER], expirationSeconds: 600 },
    T0,
  );
  assert.match(reason(await auth.verify(token)), /could not be verified: disk on fire/);
});

test('legacy Secret-based tokens: valid while the Secret holds them', async () => {
  const { auth, issuer, objects } = await setup();
  const token = issuer.issueLegacy({
    namespace: 'default',
    secretName: 'builder-token',
    serviceAccount: { name: 'builder', uid: 'sa-uid' },
  });
  assert.equal(reason(await auth.verify(token)), 'service account token has been invalidated');
  objects.put('Secret', { name: 'builder-token', uid: 's', data: { token: Buffer.from(token).toString('base64') } });
  const r = await auth.verify(token);
  assert.ok(r.ok);
  assert.equal(r.user.name, 'system:serviceaccount:default:builder');
  assert.equal(r.user.extra, undefined);
  assert.equal(
    reason(await auth.verify(token, ['vault'])),
    'token audiences ["https://kubernetes.default.svc.cluster.local"] is invalid for the target audiences ["vault"]',
  );
  objects.put('Secret', { name: 'builder-token', uid: 's', data: { token: Buffer.from('other').toString('base64') } });
  assert.equal(reason(await auth.verify(token)), 'token does not match the token stored in its Secret');
});

test('verified tokens are remembered for the cache TTL, never past their expiry', async () => {
  const { auth, issue, objects, clock } = await setup(10_000);
  objects.put('Secret', { name: 's1', uid: 'sec-uid' });
  const token = issue({ secret: { name: 's1', uid: 'sec-uid' } }, 600);
  assert.ok((await auth.verify(token)).ok);
  const before = objects.gets;
  for (let i = 0; i < 100; i++) assert.ok(await auth.authenticateToken(token));
  assert.equal(objects.gets, before, 'cached: no lookups');
  objects.remove('Secret', 'default', 's1');
  assert.ok(await auth.authenticateToken(token), 'still cached');
  clock.advance(10_001);
  assert.equal(await auth.authenticateToken(token), undefined, 'the deletion is seen once the entry is stale');
  // an entry never outlives the token
  objects.put('Secret', { name: 's1', uid: 'sec-uid' });
  const short = issue({ secret: { name: 's1', uid: 'sec-uid' } }, 600);
  clock.advance(600_000 + 55_000);
  assert.ok(await auth.authenticateToken(short));
  clock.advance(6_000);
  assert.equal(await auth.authenticateToken(short), undefined);
});
