// Issue 13's first acceptance, as a user lives it with the real kubectl against `tandem server`:
// `kubectl auth can-i` for the admin, for a ServiceAccount without bindings (no), and after `kubectl
// create role` / `create rolebinding` (yes for exactly what was granted); a `kubectl create token`
// token lists pods where allowed and gets upstream's 403 elsewhere; a user who may create Roles but
// not `escalate` cannot grant more than they hold; bad input gets a 4xx, never a crash.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlAvailable, startTandem, type TandemProcess } from './harness.js';
import { SKIP_MESSAGE, waitFor } from './kubectl-support.js';
import { createRawClient } from './raw-client.js';

const skip = !kubectlAvailable() && SKIP_MESSAGE;
const NS = 'team-a';
const SA = `system:serviceaccount:${NS}:bob`;

test('who may do what: can-i, roles, tokens, escalation', { skip, timeout: 120_000 }, async (t) => {
  const tandem = await startTandem();
  t.after(() => tandem.stop());
  const ok = (args: string[], input?: string) => {
    const r = tandem.kubectl(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const canI = (args: string[]) => tandem.kubectl(['auth', 'can-i', ...args]).stdout.trim();
  const as = (tp: TandemProcess, token: string, args: string[], input?: string) =>
    tp.kubectl(['--token', token, ...args], input === undefined ? {} : { input });

  ok(['create', 'namespace', NS]);
  ok(['create', 'namespace', 'other']);
  ok(['create', 'serviceaccount', 'bob', '-n', NS]);

  await t.test('the admin may do anything; a ServiceAccount without bindings may not', () => {
    assert.equal(canI(['create', 'pods']), 'yes');
    assert.equal(canI(['*', '*', '--all-namespaces']), 'yes');
    assert.equal(canI(['list', 'pods', '-n', NS, '--as', SA]), 'no');
  });

  await t.test('a Role and RoleBinding grant exactly what they say', () => {
    ok(['create', 'role', 'pod-reader', '--verb=get,list,watch', '--resource=pods', '-n', NS]);
    ok(['create', 'rolebinding', 'bob-reads', '--role=pod-reader', `--serviceaccount=${NS}:bob`, '-n', NS]);
    assert.equal(canI(['list', 'pods', '-n', NS, '--as', SA]), 'yes');
    assert.equal(canI(['get', 'pods', '-n', NS, '--as', SA]), 'yes');
    assert.equal(canI(['delete', 'pods', '-n', NS, '--as', SA]), 'no');
    assert.equal(canI(['list', 'pods', '-n', 'other', '--as', SA]), 'no');
    assert.equal(canI(['list', 'secrets', '-n', NS, '--as', SA]), 'no');
    const list = tandem.kubectl(['auth', 'can-i', '--list', '-n', NS, '--as', SA]).stdout;
    assert.match(list, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
  });

  const token = ok(['create', 'token', 'bob', '-n', NS]).trim();

  await t.test('the token lists pods where allowed and gets upstream’s 403 elsewhere', () => {
    const mine = as(tandem, token, ['get', 'pods', '-n', NS]);
    assert.equal(mine.code, 0, mine.stderr);
    const elsewhere = as(tandem, token, ['get', 'pods', '-n', 'other']);
    assert.notEqual(elsewhere.code, 0);
    assert.match(
      elsewhere.stderr,
      /pods is forbidden: User "system:serviceaccount:team-a:bob" cannot list resource "pods" in API group "" in the namespace "other"/,
    );
    const write = as(tandem, token, ['delete', 'pod', 'nothing', '-n', NS]);
    assert.match(write.stderr, /pods "nothing" is forbidden: User "system:serviceaccount:team-a:bob" cannot delete resource "pods"/);
  });

  await t.test('without escalate, a user cannot create a Role that grants more than they hold', () => {
    ok(['create', 'role', 'role-maker', '--verb=create,update', '--resource=roles.rbac.authorization.k8s.io', '-n', NS]);
    ok(['create', 'rolebinding', 'bob-makes-roles', '--role=role-maker', `--serviceaccount=${NS}:bob`, '-n', NS]);
    // within what bob holds: allowed
    const within = as(tandem, token, ['create', 'role', 'reader-too', '--verb=get,list', '--resource=pods', '-n', NS]);
    assert.equal(within.code, 0, within.stderr);
    // beyond it: upstream's escalation refusal, naming the missing permission
    const beyond = as(tandem, token, ['create', 'role', 'deleter', '--verb=delete', '--resource=pods', '-n', NS]);
    assert.notEqual(beyond.code, 0);
    assert.match(beyond.stderr, /is attempting to grant RBAC permissions not currently held/);
    assert.match(beyond.stderr, /Resources:\["pods"\], Verbs:\["delete"\]/);
    // and a binding to a role bob does not hold needs `bind`
    ok(['create', 'clusterrole', 'secret-reader', '--verb=get', '--resource=secrets']);
    const bind = as(tandem, token, [
      'create',
      'rolebinding',
      'sneaky',
      '--clusterrole=secret-reader',
      `--serviceaccount=${NS}:bob`,
      '-n',
      NS,
    ]);
    assert.notEqual(bind.code, 0);
    assert.match(bind.stderr, /forbidden/);
  });

  await t.test('bad input: a 4xx naming the rule, never a crash', async () => {
    const raw = createRawClient({ url: tandem.url, caPem: tandem.caPem(), token: tandem.token() });
    t.after(() => raw.close());
    const json = (o: unknown) => ({ body: JSON.stringify(o), headers: { 'Content-Type': 'application/json' } });
    const role = await raw.request(
      'POST',
      `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`,
      json({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'no-verbs' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: [] }],
      }),
    );
    assert.equal(role.status, 422, role.text);
    assert.match(role.text, /rules\[0\]\.verbs/);
    const tr = await raw.request(
      'POST',
      `/api/v1/namespaces/${NS}/serviceaccounts/bob/token`,
      json({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 5 } }),
    );
    assert.equal(tr.status, 422, tr.text);
    assert.match(tr.text, /spec\.expirationSeconds/);
    for (const bad of ['e30.e30.', 'not-a-jwt', `${token.slice(0, -4)}AAAA`]) {
      const r = as(tandem, bad, ['get', 'pods', '-n', NS]);
      assert.match(r.stderr, /Unauthorized|You must be logged in/, `token ${bad.slice(0, 12)}…`);
    }
    // the server is still there
    assert.ok(await waitFor(() => tandem.kubectl(['get', 'ns', NS]).code === 0, 5000));
  });
});
