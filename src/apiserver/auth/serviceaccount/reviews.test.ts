import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../base/errors.js';
import { adminUser } from '../user.js';
import { reviewSelf, reviewToken } from './reviews.js';
import type { BearerTokenAuthenticator } from '../authenticator.js';

const AUD = 'https://kubernetes.default.svc.cluster.local';
const sa = {
  name: 'system:serviceaccount:ns:a',
  uid: 'u1',
  groups: ['system:serviceaccounts', 'system:authenticated'],
  extra: { 'x/y': ['z'] },
};
const tokens: BearerTokenAuthenticator = {
  authenticateToken(token, auds) {
    if (token === 'admin') return { user: adminUser() };
    if (token === 'jwt' && auds?.includes(AUD)) return { user: sa, audiences: [AUD] };
    if (token === 'liar') return { user: sa, audiences: ['elsewhere'] };
    return undefined;
  },
};

test('TokenReview: authenticated users with their audiences', async () => {
  const r = await reviewToken({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'jwt' } }, tokens, [AUD]);
  assert.deepEqual(r['status'], {
    authenticated: true,
    user: { username: sa.name, uid: 'u1', groups: sa.groups, extra: { 'x/y': ['z'] } },
    audiences: [AUD],
  });
  // audience-unaware authenticators vouch for what was asked
  const a = await reviewToken({ spec: { token: 'admin', audiences: ['k'] } }, tokens, [AUD]);
  assert.deepEqual((a['status'] as Record<string, unknown>)['audiences'], ['k']);
  assert.deepEqual(a['spec'], { token: 'admin', audiences: ['k'] });
});

test('TokenReview: unknown tokens are not authenticated, with the reason when known', async () => {
  const r = await reviewToken({ spec: { token: 'nope' } }, tokens, [AUD], () => Promise.resolve('service account token has expired'));
  assert.deepEqual(r['status'], { user: {}, error: '[invalid bearer token, service account token has expired]' });
  const plain = await reviewToken({ spec: { token: 'jwt', audiences: ['vault'] } }, tokens, [AUD]);
  assert.deepEqual(plain['status'], { user: {}, error: 'invalid bearer token' });
});

test('TokenReview: bad requests', async () => {
  await assert.rejects(reviewToken({ spec: {} }, tokens, [AUD]), /token is required for TokenReview in authentication/);
  await assert.rejects(reviewToken({}, tokens, [AUD]), (e: unknown) => e instanceof StatusError && e.code === 400);
  await assert.rejects(reviewToken({ spec: { token: 5 } }, tokens, [AUD]), /spec.token must be a string/);
  await assert.rejects(reviewToken({ spec: { token: 'a', audiences: 'x' } }, tokens, [AUD]), /spec.audiences must be a list of strings/);
  await assert.rejects(reviewToken({ spec: 'x' }, tokens, [AUD]), /must be an object/);
  await assert.rejects(reviewToken({ kind: 'Pod', spec: { token: 'a' } }, tokens, [AUD]), /expected a TokenReview/);
  // an authenticator that claims other audiences than those asked is a server error, as upstream
  await assert.rejects(reviewToken({ spec: { token: 'liar' } }, tokens, [AUD]), (e: unknown) => e instanceof StatusError && e.code === 500);
});

test('SelfSubjectReview: the caller as the server sees it', () => {
  const r = reviewSelf({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, sa, Date.parse('2025-01-01T00:00:00Z'));
  assert.deepEqual(r, {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: '2025-01-01T00:00:00Z' },
    status: { userInfo: { username: sa.name, uid: 'u1', groups: sa.groups, extra: { 'x/y': ['z'] } } },
  });
});
