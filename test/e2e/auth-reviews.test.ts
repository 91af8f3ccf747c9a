// `kubectl auth can-i` (SelfSubjectAccessReview, SelfSubjectRulesReview), SubjectAccessReview and
// LocalSubjectAccessReview created with kubectl, and impersonation (--as, --as-group, raw
// Impersonate-* headers, also on an exec upgrade) against a real `tandem server` and the real kubectl.
// Where RBAC is not wired in yet (only system:masters is authorized), the assertions say which answer
// each world gives.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createKubectlSession } from './kubectl-support.js';
import { createRawClient, type RawClient } from './raw-client.js';

const k = createKubectlSession();
let raw: RawClient | undefined;
before(async () => {
  await k.start();
  try {
    const s = k.srv();
    raw = createRawClient({ url: s.url, caPem: s.caPem(), token: s.token() });
  } catch {
    raw = undefined; // kubectl missing: the tests skip
  }
});
after(async () => {
  raw?.close();
  await k.stop();
});

test(
  'the admin can do anything, exec included',
  k.run(() => {
    assert.equal(k.ok(['auth', 'can-i', '*', '*']).stdout, 'yes\n');
    assert.equal(k.ok(['auth', 'can-i', 'create', 'pods', '--subresource', 'exec']).stdout, 'yes\n');
    assert.equal(k.ok(['auth', 'can-i', 'get', '/healthz']).stdout, 'yes\n');
  }),
);

test(
  'kubectl auth can-i --list prints the rules table',
  k.run(() => {
    const r = k.ok(['auth', 'can-i', '--list']);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
    assert.doesNotMatch(r.stderr, /incomplete/, 'RBAC resolves the rules');
    // the admin is bound to cluster-admin
    assert.ok(
      lines.some((l) => /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/.test(l)),
      r.stdout,
    );
  }),
);

test(
  'impersonated users are authorized as themselves: 403 naming them',
  k.run(() => {
    const nobody = k.fails(['get', 'pods', '--as', 'nobody']);
    assert.match(
      nobody.stderr,
      /Error from server \(Forbidden\): pods is forbidden: User "nobody" cannot list resource "pods" in API group "" in the namespace "default"/,
    );
    const sa = k.fails(['get', 'pods', '--as', 'system:serviceaccount:default:x']);
    assert.match(
      sa.stderr,
      /pods is forbidden: User "system:serviceaccount:default:x" cannot list resource "pods" in API group "" in the namespace "default"/,
    );
    // groups given with --as-group replace the derived ones
    assert.equal(
      k.ok(['auth', 'can-i', 'list', 'pods', '--as', 'system:serviceaccount:default:x', '--as-group', 'system:masters']).stdout,
      'yes\n',
    );
    assert.equal(k.ok(['auth', 'can-i', 'get', 'pods', '-n', 'x', '--as', 'alice', '--as-group', 'system:masters']).stdout, 'yes\n');
  }),
);

test(
  'kubectl auth can-i as a user without rights says no (RBAC: system:basic-user lets every authenticated user ask)',
  k.run(() => {
    const r = k.srv().kubectl(['auth', 'can-i', 'get', 'pods', '--as', 'alice', '-n', 'x']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, 'no\n');
  }),
);

const sar = (user: string, groups: string[]) =>
  JSON.stringify({
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: { user, groups, resourceAttributes: { namespace: 'x', verb: 'delete', resource: 'pods' } },
  });

test(
  'SubjectAccessReview and LocalSubjectAccessReview through kubectl create',
  k.run(() => {
    const no = JSON.parse(k.ok(['create', '-f', '-', '-o', 'json'], { input: sar('alice', ['devs']) }).stdout) as Record<string, unknown>;
    assert.deepEqual(no['status'], { allowed: false });
    assert.deepEqual((no['spec'] as Record<string, unknown>)['user'], 'alice');
    const yes = JSON.parse(k.ok(['create', '-f', '-', '-o', 'json'], { input: sar('root', ['system:masters']) }).stdout) as Record<
      string,
      unknown
    >;
    assert.deepEqual(yes['status'], { allowed: true });
    const local = (ns: string) =>
      JSON.stringify({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'LocalSubjectAccessReview',
        metadata: { namespace: 'x' },
        spec: { user: 'root', groups: ['system:masters'], resourceAttributes: { namespace: ns, verb: 'get', resource: 'pods' } },
      });
    const ok = JSON.parse(k.ok(['create', '-f', '-', '-o', 'json'], { input: local('x') }).stdout) as Record<string, unknown>;
    assert.deepEqual(ok['status'], { allowed: true });
    const bad = k.fails(['create', '-f', '-'], { input: local('other') });
    assert.match(
      bad.stderr,
      /The LocalSubjectAccessReview "" is invalid: spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace/,
    );
    const none = k.fails(['create', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'a' } }),
    });
    assert.match(
      none.stderr,
      /spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified/,
    );
  }),
);

test(
  'groups without a user are a 400; impersonation also applies to exec upgrades',
  k.run(async () => {
    assert.ok(raw);
    const groupsOnly = await raw.request('GET', '/api/v1/namespaces/default/pods', { headers: { 'Impersonate-Group': 'devs' } });
    assert.equal(groupsOnly.status, 400, groupsOnly.text);
    assert.match(JSON.parse(groupsOnly.text).message, /requested group "devs" without impersonating a user/);
    const upgrade = {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    };
    const path = '/api/v1/namespaces/default/pods/missing/exec?command=true&stdout=true';
    const asNobody = await raw.request('GET', path, { headers: { ...upgrade, 'Impersonate-User': 'nobody' } });
    assert.equal(asNobody.status, 403, asNobody.text);
    assert.equal(
      JSON.parse(asNobody.text).message,
      'pods "missing" is forbidden: User "nobody" cannot create resource "pods/exec" in API group "" in the namespace "default"',
    );
    const asAdmin = await raw.request('GET', path, { headers: upgrade });
    assert.equal(asAdmin.status, 404, asAdmin.text);
  }),
);
