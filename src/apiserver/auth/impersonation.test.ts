import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../base/errors.js';
import type { AuthorizationAttributes, Authorizer } from './authorizer.js';
import { impersonate, impersonationRequested } from './impersonation.js';
import { rewriteHead } from '../proxy/upgrade-proxy.js';
import type { IncomingMessage } from 'node:http';

const admin = { name: 'tandem-admin', groups: ['system:masters', 'system:authenticated'] };
const bob = { name: 'bob', groups: ['system:authenticated'] };

/** Allows what `may` says, records every question. */
function recording(may: (a: AuthorizationAttributes) => boolean): Authorizer & { asked: AuthorizationAttributes[] } {
  const asked: AuthorizationAttributes[] = [];
  return {
    asked,
    authorize(a) {
      asked.push(a);
      return may(a) ? { decision: 'allow', reason: '' } : { decision: 'no-opinion', reason: '' };
    },
  };
}

const brief = (a: AuthorizationAttributes) =>
  `${a.verb} ${a.apiGroup}/${a.resource}${a.subresource ? `/${a.subresource}` : ''} ${a.namespace}/${a.name}`;

test('only requests with Impersonate-* headers are noticed', () => {
  assert.equal(impersonationRequested(['Host', 'x', 'Authorization', 'Bearer t', 'Accept', 'application/json']), false);
  assert.equal(impersonationRequested(['Host', 'x', 'Impersonate-User', 'alice']), true);
  assert.equal(impersonationRequested(['impersonate-extra-scopes', 'a']), true);
  assert.equal(impersonationRequested(['Impersonate', 'x', 'If-None-Match', 'y']), false);
});

test('an allowed user becomes the request user with system:authenticated added', async () => {
  const z = recording(() => true);
  const u = await impersonate(z, admin, ['Impersonate-User', 'alice']);
  assert.deepEqual(u, { name: 'alice', groups: ['system:authenticated'] });
  assert.deepEqual(z.asked.map(brief), ['impersonate /users /alice']);
  assert.equal(z.asked[0]!.user, admin);
});

test('groups are each authorized and replace the derived groups; repeated headers stay separate', async () => {
  const z = recording(() => true);
  const u = await impersonate(z, admin, ['Impersonate-User', 'alice', 'Impersonate-Group', 'devs, ops', 'Impersonate-Group', 'qa']);
  assert.deepEqual(u, { name: 'alice', groups: ['devs, ops', 'qa', 'system:authenticated'] });
  assert.deepEqual(z.asked.map(brief), ['impersonate /users /alice', 'impersonate /groups /devs, ops', 'impersonate /groups /qa']);
  const unauth = await impersonate(z, admin, ['Impersonate-User', 'alice', 'Impersonate-Group', 'system:unauthenticated']);
  assert.deepEqual(unauth.groups, ['system:unauthenticated']);
  const anon = await impersonate(z, admin, ['Impersonate-User', 'system:anonymous']);
  assert.deepEqual(anon.groups, ['system:unauthenticated']);
});

test('a service account is asked for as serviceaccounts in its namespace and gets its groups', async () => {
  const z = recording(() => true);
  const u = await impersonate(z, admin, ['Impersonate-User', 'system:serviceaccount:default:x']);
  assert.deepEqual(u, {
    name: 'system:serviceaccount:default:x',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
  });
  assert.deepEqual(z.asked.map(brief), ['impersonate /serviceaccounts default/x']);
  // not a valid service-account name: an ordinary user of that name
  z.asked.length = 0;
  await impersonate(z, admin, ['Impersonate-User', 'system:serviceaccount:Bad_NS:x']);
  assert.deepEqual(z.asked.map(brief), ['impersonate /users /system:serviceaccount:Bad_NS:x']);
  const withGroups = await impersonate(z, admin, ['Impersonate-User', 'system:serviceaccount:default:x', 'Impersonate-Group', 'g']);
  assert.deepEqual(withGroups.groups, ['g', 'system:authenticated']);
});

test('uid and extras are asked for in authentication.k8s.io, extra keys lower-cased and unescaped', async () => {
  const z = recording(() => true);
  const u = await impersonate(z, admin, [
    'Impersonate-User',
    'alice',
    'Impersonate-Uid',
    'u-123',
    'Impersonate-Extra-Scopes',
    'view',
    'impersonate-extra-scopes',
    'edit',
    'Impersonate-Extra-example.org%2Fteam',
    'blue',
  ]);
  assert.deepEqual(u, {
    name: 'alice',
    uid: 'u-123',
    groups: ['system:authenticated'],
    extra: { scopes: ['view', 'edit'], 'example.org/team': ['blue'] },
  });
  assert.deepEqual(z.asked.map(brief), [
    'impersonate /users /alice',
    'impersonate authentication.k8s.io/userextras/scopes /view',
    'impersonate authentication.k8s.io/userextras/scopes /edit',
    'impersonate authentication.k8s.io/userextras/example.org/team /blue',
    'impersonate authentication.k8s.io/uids /u-123',
  ]);
});

test("a refusal is upstream's 403 naming what was asked, and stops at the first refusal", async () => {
  const z = recording((a) => a.resource === 'users');
  await assert.rejects(
    impersonate(
      recording(() => false),
      bob,
      ['Impersonate-User', 'nobody'],
    ),
    (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, 403);
      assert.equal(
        e.message,
        'users "nobody" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope',
      );
      return true;
    },
  );
  await assert.rejects(
    impersonate(z, bob, ['Impersonate-User', 'alice', 'Impersonate-Group', 'admins', 'Impersonate-Group', 'other']),
    (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(
        e.message,
        'groups "admins" is forbidden: User "bob" cannot impersonate resource "groups" in API group "" at the cluster scope',
      );
      return true;
    },
  );
  assert.deepEqual(z.asked.slice(-2).map(brief), ['impersonate /users /alice', 'impersonate /groups /admins']);
  await assert.rejects(
    impersonate(
      recording(() => false),
      bob,
      ['Impersonate-User', 'system:serviceaccount:kube-system:x'],
    ),
    (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(
        e.message,
        'serviceaccounts "x" is forbidden: User "bob" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "kube-system"',
      );
      return true;
    },
  );
  await assert.rejects(impersonate(z, bob, ['Impersonate-User', 'alice', 'Impersonate-Extra-scopes', 'view']), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(
      e.message,
      'userextras.authentication.k8s.io "view" is forbidden: User "bob" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope',
    );
    return true;
  });
});

test('groups, uid or extras without a user are a 400 naming what was asked', async () => {
  const z = recording(() => true);
  await assert.rejects(impersonate(z, admin, ['Impersonate-Group', 'devs']), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    assert.match(e.message, /requested group "devs" without impersonating a user/);
    return true;
  });
  await assert.rejects(
    impersonate(z, admin, ['Impersonate-Uid', 'u', 'Impersonate-Extra-a', 'b']),
    /uid "u", extra "a"="b" without impersonating a user/,
  );
  assert.equal(z.asked.length, 0);
  // an empty Impersonate-User and nothing else: no impersonation at all
  assert.equal(await impersonate(z, admin, ['Impersonate-User', '']), admin);
});

test('impersonation headers are not replayed to agents', () => {
  const req = {
    method: 'POST',
    rawHeaders: [
      'Host',
      'api',
      'Impersonate-User',
      'a',
      'Impersonate-Group',
      'g',
      'Impersonate-Uid',
      'u',
      'Impersonate-Extra-Scopes',
      's',
      'Upgrade',
      'websocket',
    ],
  } as unknown as IncomingMessage;
  const head = rewriteHead(req, '/exec/ns/p/c', 'node:10250');
  assert.doesNotMatch(head, /impersonate|authorization/i);
  assert.match(head, /Upgrade: websocket/);
});
