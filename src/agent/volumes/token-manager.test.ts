import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, TokenRequest } from '../../api/gen/types.js';
import { createManualClock } from '../../base/testing/manual-clock.js';
import { createTokenManager, type TokenRequester } from './token-manager.js';

const pod = (uid: string, sa?: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `p-${uid}`, namespace: 'team', uid },
  spec: { containers: [{ name: 'c' }], ...(sa ? { serviceAccountName: sa } : {}) },
});

function fakeApi(clock: { now(): number }) {
  const calls: Array<{ ns: string; sa: string; req: TokenRequest }> = [];
  const request: TokenRequester = async (ns, sa, req) => {
    calls.push({ ns, sa, req });
    const secs = req.spec.expirationSeconds ?? 3600;
    return { token: `tok-${calls.length}`, expiresAt: clock.now() + secs * 1000, expirationSeconds: secs };
  };
  return { calls, request };
}

test('a token is bound to the pod, asked for with the source audience and lifetime, and cached', async () => {
  const clock = createManualClock(1_000_000);
  const api = fakeApi(clock);
  const m = createTokenManager({ request: api.request, clock, random: () => 0 });
  assert.equal(await m.token(pod('u1', 'robot'), { path: 'token', expirationSeconds: 3607 }), 'tok-1');
  assert.deepEqual(api.calls[0], {
    ns: 'team',
    sa: 'robot',
    req: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: {},
      spec: { audiences: [], expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p-u1', uid: 'u1' } },
    },
  });
  assert.equal(await m.token(pod('u1', 'robot'), { path: 'token', expirationSeconds: 3607 }), 'tok-1', 'cached');
  // another audience is another token; the default lifetime is an hour; no account name means default
  assert.equal(await m.token(pod('u1'), { path: 'vault', audience: 'vault' }), 'tok-2');
  assert.deepEqual(api.calls[1]?.req.spec.audiences, ['vault']);
  assert.equal(api.calls[1]?.req.spec.expirationSeconds, 3600);
  assert.equal(api.calls[1]?.sa, 'default');
  assert.equal(api.calls.length, 2);
});

test('refreshed once 80% of its life has passed, not before', async () => {
  const clock = createManualClock(0);
  const api = fakeApi(clock);
  const m = createTokenManager({ request: api.request, clock, random: () => 0 });
  const src = { path: 'token', expirationSeconds: 1000 };
  assert.equal(await m.token(pod('u1'), src), 'tok-1');
  clock.advance(799_000);
  assert.equal(await m.token(pod('u1'), src), 'tok-1', 'at 79.9% the cached one');
  clock.advance(2_000);
  assert.equal(await m.token(pod('u1'), src), 'tok-2', 'past 80% a new one');
  assert.equal(await m.token(pod('u1'), src), 'tok-2');
});

test('a long-lived token is refreshed after 24 hours; jitter brings refreshes forward by up to 10 s', async () => {
  const clock = createManualClock(0);
  const api = fakeApi(clock);
  let jitter = 0;
  const m = createTokenManager({ request: api.request, clock, random: () => jitter });
  const src = { path: 'token', expirationSeconds: 7 * 24 * 3600 };
  await m.token(pod('u1'), src);
  clock.advance(24 * 3600 * 1000 - 5_000);
  assert.equal(await m.token(pod('u1'), src), 'tok-1');
  jitter = 1; // 10 s earlier: now due
  assert.equal(await m.token(pod('u1'), src), 'tok-2');
});

test('forget drops only that pod; a failed request is not cached', async () => {
  const clock = createManualClock(0);
  const api = fakeApi(clock);
  const m = createTokenManager({ request: api.request, clock, random: () => 0 });
  const src = { path: 'token' };
  await m.token(pod('u1'), src);
  await m.token(pod('u2'), src);
  m.forget('u1');
  assert.equal(await m.token(pod('u1'), src), 'tok-3');
  assert.equal(await m.token(pod('u2'), src), 'tok-2');

  let fail = true;
  const flaky = createTokenManager({
    clock,
    request: async (...a) => {
      if (fail) throw new Error('serviceaccounts "default" not found');
      return api.request(...a);
    },
  });
  await assert.rejects(flaky.token(pod('u9'), src), /not found/);
  fail = false;
  assert.equal(await flaky.token(pod('u9'), src), 'tok-4');
});
