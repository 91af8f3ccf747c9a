// Secret values are taken out of single Secrets, lists and watch events; other kinds pass untouched.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretPath, stripSecrets } from './secret-strip.js';
import { apiTarget, isWatch } from './forward.js';

test('which API paths name Secrets', () => {
  assert.equal(isSecretPath('/api/v1/secrets'), true);
  assert.equal(isSecretPath('/api/v1/namespaces/default/secrets'), true);
  assert.equal(isSecretPath('/api/v1/namespaces/default/secrets/s1'), true);
  assert.equal(isSecretPath('/api/v1/watch/namespaces/default/secrets'), true);
  assert.equal(isSecretPath('/api/v1/namespaces/secrets/configmaps'), false, 'a namespace called secrets');
  assert.equal(isSecretPath('/api/v1/namespaces/secrets'), false);
  assert.equal(isSecretPath('/apis/apps/v1/namespaces/default/deployments'), false);
});

test('data, stringData and the last-applied annotation go; the rest stays', () => {
  const s = {
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: 's', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"p":"eA=="}}', keep: 'y' } },
    data: { p: 'eA==' },
    stringData: { q: 'x' },
  };
  assert.deepEqual(stripSecrets(s), { kind: 'Secret', type: 'Opaque', metadata: { name: 's', annotations: { keep: 'y' } } });
  const list = { kind: 'SecretList', items: [{ metadata: { name: 'a' }, data: { k: 'dg==' } }] };
  assert.deepEqual(stripSecrets(list), { kind: 'SecretList', items: [{ metadata: { name: 'a' } }] });
  const ev = { type: 'ADDED', object: { kind: 'Secret', metadata: {}, data: { k: 'dg==' } } };
  assert.deepEqual(stripSecrets(ev), { type: 'ADDED', object: { kind: 'Secret', metadata: {} } });
  const bare = { items: [{ data: { k: 'dg==' } }] };
  assert.deepEqual(stripSecrets(bare, true), { items: [{}] }, 'items without a kind, from a Secrets URL');
  assert.deepEqual(stripSecrets({ type: 'MODIFIED', object: { data: { k: 'dg==' } } }, true), { type: 'MODIFIED', object: {} });
  const status = { kind: 'Status', code: 403, message: 'forbidden' };
  assert.deepEqual(stripSecrets({ ...status }, true), status);
  const cm = { kind: 'ConfigMap', data: { k: 'v' } };
  assert.deepEqual(stripSecrets(cm), { kind: 'ConfigMap', data: { k: 'v' } });
});

test('the forwarder takes API paths only, and ?reveal off the query', () => {
  const t = apiTarget(new URL('https://x/ui/k8s/api/v1/namespaces/a/secrets?reveal=1&limit=5'));
  assert.ok(typeof t !== 'string');
  assert.equal(t.path, '/api/v1/namespaces/a/secrets');
  assert.equal(t.reveal, true);
  assert.equal(t.query.toString(), 'limit=5');
  assert.match(apiTarget(new URL('https://x/ui/k8s/metrics')) as string, /not a Kubernetes API path/);
  assert.match(apiTarget(new URL('https://x/ui/k8s/healthz')) as string, /not a Kubernetes API path/);
});

test('a watch is recognised as the API recognises one, so a stripped watch is streamed, not buffered', () => {
  const target = (q: string) =>
    apiTarget(new URL(`https://x/ui/k8s/api/v1/namespaces/a/secrets${q}`)) as Exclude<ReturnType<typeof apiTarget>, string>;
  for (const q of ['?watch=1', '?watch=true', '?watch=True', '?watch=', '?watch=yes']) assert.equal(isWatch(target(q)), true, q);
  for (const q of ['', '?watch=0', '?watch=false', '?watch=FALSE']) assert.equal(isWatch(target(q)), false, q);
  assert.equal(isWatch(apiTarget(new URL('https://x/ui/k8s/api/v1/watch/secrets')) as Exclude<ReturnType<typeof apiTarget>, string>), true);
});
