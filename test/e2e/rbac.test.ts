// RBAC end to end: the default policy of `tandem server` through the real kubectl (list, describe,
// aggregation, create role/rolebinding/clusterrolebinding, invalid objects), and an API server built
// in the test with a token table, so that a user without system:masters is authorized by RBAC alone:
// forbidden until a RoleBinding grants, allowed for exactly what it grants, and unable to escalate.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allKinds } from '../../src/api/kinds/index.js';
import { namespaceKind } from '../../src/api/kinds/core/namespace.js';
import {
  createApiServer,
  createEscalationPlugin,
  createRbacAuthorizer,
  createRequestAuthenticator,
  createTokenAuthenticator,
  adminUser,
  privilegedGroupAuthorizer,
  reconcileBootstrapPolicy,
  startPolicyFeed,
  unionAuthorizer,
} from '../../src/apiserver/index.js';
import { createMemoryBackend } from '../../src/storage/memory/memory-backend.js';
import { ensurePki } from '../../src/pki/index.js';
import { writeKubeconfig } from '../../src/client/kubeconfig.js';
import { createRestClient } from '../../src/client/rest-client.js';
import { KUBECTL, kubectlAvailable, startTandem, type TandemProcess } from './harness.js';

const skip = kubectlAvailable() ? false : 'kubectl not installed';
const tmp: string[] = [];
after(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

async function poll<T>(fn: () => T | undefined, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('tandem server: default policy and RBAC objects through kubectl', { skip, timeout: 90_000 }, async () => {
  const t: TandemProcess = await startTandem();
  try {
    const roles = t.kubectl(['get', 'clusterroles']);
    assert.equal(roles.code, 0, roles.stderr);
    assert.match(roles.stdout, /^NAME\s+CREATED AT/m);
    for (const n of [
      'cluster-admin',
      'admin',
      'edit',
      'view',
      'system:kube-scheduler',
      'system:controller:deployment-controller',
      'system:node',
    ])
      assert.match(roles.stdout, new RegExp(`^${n}\\s`, 'm'), n);
    const crbs = t.kubectl(['get', 'clusterrolebindings', 'cluster-admin', 'system:public-info-viewer', '-o', 'wide']);
    assert.match(crbs.stdout, /^cluster-admin\s+ClusterRole\/cluster-admin\s+\S+\s+system:masters/m);
    assert.match(
      crbs.stdout,
      /system:public-info-viewer\s+ClusterRole\/system:public-info-viewer\s+\S+\s+system:authenticated, system:unauthenticated/,
    );
    // admin gathers edit and view (and their aggregate-to-* roles) through the aggregation controller
    const desc = await poll(() => {
      const d = t.kubectl(['describe', 'clusterrole', 'admin']);
      return /rolebindings\.rbac\.authorization\.k8s\.io/.test(d.stdout) && /pods\/log/.test(d.stdout) ? d.stdout : undefined;
    }, 'admin to be aggregated');
    assert.match(desc, /PolicyRule:/);
    assert.match(desc, /deployments\.apps\s/);

    assert.equal(t.kubectl(['create', 'namespace', 'team']).code, 0);
    const created = [
      t.kubectl(['create', 'role', 'pod-reader', '--verb=get,list,watch', '--resource=pods', '-n', 'team']),
      t.kubectl(['create', 'rolebinding', 'read-pods', '--role=pod-reader', '--user=alice', '--serviceaccount=team:robot', '-n', 'team']),
      t.kubectl(['create', 'clusterrolebinding', 'devs-view', '--clusterrole=view', '--group=devs']),
    ];
    for (const c of created) assert.equal(c.code, 0, c.stderr);
    const rb = t.kubectl(['get', 'rolebinding', 'read-pods', '-n', 'team', '-o', 'wide']);
    assert.match(rb.stdout, /read-pods\s+Role\/pod-reader\s+\S+\s+alice\s+team\/robot/);

    const bad = t.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'bad', namespace: 'team' },
        rules: [
          { apiGroups: [''], resources: ['pods'], verbs: [] },
          { verbs: ['get'], nonResourceURLs: ['/healthz'] },
        ],
      }),
    });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /rules\[0\]\.verbs: Required value: verbs must contain at least one value/);
    assert.match(bad.stderr, /rules\[1\]\.nonResourceURLs: Invalid value: .*namespaced rules cannot apply to non-resource URLs/);
    const immutable = t.kubectl(['patch', 'rolebinding', 'read-pods', '-n', 'team', '--type=merge', '-p', '{"roleRef":{"name":"x"}}']);
    assert.match(immutable.stderr, /roleRef: Invalid value: .*cannot change roleRef/);
  } finally {
    await t.stop();
  }
});

test('a user outside system:masters is authorized by RBAC alone', { skip, timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-rbac-'));
  tmp.push(dir);
  const backend = createMemoryBackend();
  const feed = startPolicyFeed(backend);
  await feed.ready();
  const rbac = createRbacAuthorizer(feed.index);
  const authorizer = unionAuthorizer([privilegedGroupAuthorizer, rbac]);
  const tokens = createTokenAuthenticator([
    { token: 'admin-token', user: adminUser() },
    { token: 'alice-token', user: { name: 'alice', groups: ['developers', 'system:authenticated'] } },
  ]);
  const pki = await ensurePki(dir, { hosts: ['127.0.0.1', 'localhost'] });
  const api = await createApiServer({
    backend,
    kinds: allKinds,
    authenticator: createRequestAuthenticator({ static: tokens }),
    authorizer,
    ruleResolver: rbac,
    admissionPlugins: [createEscalationPlugin({ authorizer, resolver: rbac, index: feed.index })],
    tls: { cert: pki.certPem, key: pki.keyPem, ca: pki.caCertPem },
    advertiseAddress: '127.0.0.1:0',
  });
  const port = await api.listen('127.0.0.1', 0);
  const server = `https://127.0.0.1:${port}`;
  const adminClient = createRestClient({ server, caPem: pki.caCertPem, token: 'admin-token' });
  try {
    await adminClient.resource(namespaceKind).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
    await reconcileBootstrapPolicy(adminClient);
    const admin = join(dir, 'admin.kubeconfig');
    const alice = join(dir, 'alice.kubeconfig');
    await writeKubeconfig(admin, { server, caPem: pki.caCertPem, token: 'admin-token' });
    await writeKubeconfig(alice, { server, caPem: pki.caCertPem, token: 'alice-token' });
    const home = mkdtempSync(join(tmpdir(), 'tandem-rbac-home-'));
    tmp.push(home);
    // asynchronous: the API server runs in this process, so kubectl must not block its event loop
    const kubectl = (cfg: string, args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const p = spawn(KUBECTL, args, { env: { ...process.env, HOME: home, KUBECONFIG: cfg }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      });
    const ns = await kubectl(admin, ['create', 'namespace', 'team']);
    assert.equal(ns.code, 0, ns.stderr);

    // nothing granted yet: upstream's 403 text
    const denied = await kubectl(alice, ['get', 'pods', '-n', 'team']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "team"/);

    // a role and a binding for alice: exactly what was granted
    assert.equal((await kubectl(admin, ['create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods', '-n', 'team'])).code, 0);
    assert.equal(
      (await kubectl(admin, ['create', 'rolebinding', 'alice-reads', '--role=pod-reader', '--user=alice', '-n', 'team'])).code,
      0,
    );
    const listed = await kubectl(alice, ['get', 'pods', '-n', 'team']);
    assert.equal(listed.code, 0, listed.stderr);
    const other = await kubectl(alice, ['get', 'pods', '-n', 'default']);
    assert.match(other.stderr, /cannot list resource "pods" in API group "" in the namespace "default"/);
    const del = await kubectl(alice, ['delete', 'pod', 'x', '-n', 'team']);
    assert.match(del.stderr, /pods "x" is forbidden: User "alice" cannot delete resource "pods"/);

    // a dangling binding is named in the reason
    assert.equal(
      (await kubectl(admin, ['create', 'rolebinding', 'dangling', '--clusterrole=missing', '--user=alice', '-n', 'team'])).code,
      0,
    );
    const dangling = await kubectl(alice, ['get', 'secrets', '-n', 'team']);
    assert.match(dangling.stderr, /RBAC: clusterrole\.rbac\.authorization\.k8s\.io "missing" not found/);

    // alice may write roles in team, but not grant what she does not hold
    assert.equal(
      (
        await kubectl(admin, [
          'create',
          'role',
          'role-writer',
          '--verb=create,get',
          '--resource=roles.rbac.authorization.k8s.io',
          '-n',
          'team',
        ])
      ).code,
      0,
    );
    assert.equal(
      (await kubectl(admin, ['create', 'rolebinding', 'alice-writes', '--role=role-writer', '--user=alice', '-n', 'team'])).code,
      0,
    );
    const ok = await kubectl(alice, ['create', 'role', 'mini', '--verb=get', '--resource=pods', '-n', 'team']);
    assert.equal(ok.code, 0, ok.stderr);
    const esc = await kubectl(alice, ['create', 'role', 'big', '--verb=get,delete', '--resource=pods,secrets', '-n', 'team']);
    assert.notEqual(esc.code, 0);
    assert.match(
      esc.stderr,
      /roles\.rbac\.authorization\.k8s\.io "big" is forbidden: user "alice" \(groups=\["developers" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["pods"\], Verbs:\["delete"\]\}\n\{APIGroups:\[""\], Resources:\["secrets"\], Verbs:\["get" "delete"\]\}/,
    );
    // discovery works for any authenticated user through system:discovery
    assert.equal((await kubectl(alice, ['api-versions'])).code, 0);
  } finally {
    adminClient.close();
    await api.close();
    feed.stop();
    await backend.close();
  }
});
