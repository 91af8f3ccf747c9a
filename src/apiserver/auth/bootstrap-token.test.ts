import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Secret } from '../../api/gen/types.js';
import { createBootstrapTokenAuthenticator } from './bootstrap-token.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const NOW = Date.parse('2026-06-01T00:00:00Z');
function secret(data: Record<string, string>, extra: Partial<Secret> = {}): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'bootstrap.kubernetes.io/token',
    metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system' },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
    ...extra,
  };
}
const good = {
  'token-id': 'abcdef',
  'token-secret': '0123456789abcdef',
  expiration: '2026-06-02T00:00:00Z',
  'usage-bootstrap-authentication': 'true',
  'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
};

async function check(s: Secret | undefined, token = 'abcdef.0123456789abcdef') {
  const reads: string[] = [];
  const a = createBootstrapTokenAuthenticator({
    getSecret: (n) => {
      reads.push(n);
      return Promise.resolve(s);
    },
    now: () => NOW,
  });
  return { r: await a.authenticateToken(token), reads };
}

test('a valid bootstrap token names system:bootstrap:<id> with its groups', async () => {
  const { r, reads } = await check(secret(good));
  assert.deepEqual(reads, ['bootstrap-token-abcdef']);
  assert.deepEqual(r?.user, {
    name: 'system:bootstrap:abcdef',
    groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated'],
  });
  // no expiration: valid for ever; no extra groups: only system:bootstrappers
  const { expiration: _e, 'auth-extra-groups': _g, ...plain } = good;
  assert.deepEqual((await check(secret(plain))).r?.user.groups, ['system:bootstrappers', 'system:authenticated']);
});

test('refused: wrong secret, expired, deleted, wrong type, not for authentication, bad groups, other shapes', async () => {
  assert.equal((await check(secret(good), 'abcdef.0123456789abcdeX')).r, undefined);
  assert.equal((await check(secret({ ...good, expiration: '2026-05-31T23:59:59Z' }))).r, undefined);
  assert.equal((await check(secret({ ...good, expiration: 'tomorrow' }))).r, undefined);
  assert.equal((await check(undefined)).r, undefined);
  assert.equal(
    (
      await check(
        secret(good, { metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system', deletionTimestamp: '2026-06-01T00:00:00Z' } }),
      )
    ).r,
    undefined,
  );
  assert.equal((await check(secret(good, { type: 'Opaque' }))).r, undefined);
  assert.equal((await check(secret({ ...good, 'usage-bootstrap-authentication': 'false' }))).r, undefined);
  assert.equal((await check(secret({ ...good, 'auth-extra-groups': 'system:masters' }))).r, undefined);
  assert.equal((await check(secret({ ...good, 'token-id': 'zzzzzz' }))).r, undefined);
  // tokens of another shape are not looked up at all
  for (const t of ['ABCDEF.0123456789abcdef', 'abcdef0123456789abcdef', 'abcdef.0123456789abcde', 'a.b']) {
    const { r, reads } = await check(secret(good), t);
    assert.equal(r, undefined);
    assert.deepEqual(reads, [], t);
  }
});
