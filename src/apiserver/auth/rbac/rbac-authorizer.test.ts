import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryBackend } from '../../../storage/memory/memory-backend.js';
import type { Backend, WatchHandlers } from '../../../storage/backend.js';
import type { AuthorizationAttributes } from '../authorizer.js';
import type { UserInfo } from '../user.js';
import { startPolicyFeed } from './policy-feed.js';
import { RBAC_PREFIX } from './policy-index.js';
import { createRbacAuthorizer } from './rbac-authorizer.js';

const alice: UserInfo = { name: 'alice', groups: ['system:authenticated'] };
const robot: UserInfo = { name: 'system:serviceaccount:ns1:robot', groups: ['system:serviceaccounts', 'system:authenticated'] };
const attrs = (user: UserInfo, o: Partial<AuthorizationAttributes> = {}): AuthorizationAttributes => ({
  user,
  verb: 'list',
  resourceRequest: true,
  path: '',
  apiGroup: '',
  apiVersion: 'v1',
  resource: 'pods',
  subresource: '',
  namespace: 'ns1',
  name: '',
  ...o,
});

const put = (b: Backend, key: string, obj: unknown) => b.create(`${RBAC_PREFIX}${key}`, JSON.stringify(obj));
const podReader = {
  metadata: { name: 'pod-reader', namespace: 'ns1' },
  rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }],
};
const binding = (name: string, ns: string, roleRef: object, subjects: object[]) => ({
  metadata: { name, namespace: ns },
  roleRef,
  subjects,
});
const roleRef = (kind: string, name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name });
const tick = () => new Promise((r) => setTimeout(r, 5));

test('the authorizer follows bindings as they are written, changed and deleted', async () => {
  const backend = createMemoryBackend();
  const feed = startPolicyFeed(backend);
  await feed.ready();
  const z = createRbacAuthorizer(feed.index);
  assert.equal(z.authorize(attrs(alice)).decision, 'no-opinion');

  await put(backend, 'roles/ns1/pod-reader', podReader);
  const rb = await put(
    backend,
    'rolebindings/ns1/read',
    binding('read', 'ns1', roleRef('Role', 'pod-reader'), [{ kind: 'User', name: 'alice' }]),
  );
  await tick();
  const ok = z.authorize(attrs(alice));
  assert.equal(ok.decision, 'allow');
  assert.equal(ok.reason, 'RBAC: allowed by RoleBinding "read/ns1" of Role "pod-reader" to User "alice"');
  assert.equal(z.authorize(attrs(alice, { namespace: 'ns2' })).decision, 'no-opinion', 'a RoleBinding grants only in its namespace');
  assert.equal(z.authorize(attrs(alice, { verb: 'delete' })).decision, 'no-opinion');

  // the subject changes to the service account (namespace from the binding)
  await backend.update(
    rb.key,
    JSON.stringify(binding('read', 'ns1', roleRef('Role', 'pod-reader'), [{ kind: 'ServiceAccount', name: 'robot' }])),
    rb.modRevision,
  );
  await tick();
  assert.equal(z.authorize(attrs(alice)).decision, 'no-opinion', 'the cache was dropped on change');
  assert.match(z.authorize(attrs(robot)).reason, /to ServiceAccount "robot\/ns1"$/);

  // the role goes: the binding dangles, and the reason says so
  await backend.delete(`${RBAC_PREFIX}roles/ns1/pod-reader`);
  await tick();
  const denied = z.authorize(attrs(robot));
  assert.equal(denied.decision, 'no-opinion');
  assert.equal(denied.reason, 'RBAC: role.rbac.authorization.k8s.io "pod-reader" not found');
  assert.equal(z.rulesFor(robot, 'ns1').incomplete, true);
  feed.stop();
  await backend.close();
});

test('cluster bindings apply everywhere, groups match, missing cluster roles are named', async () => {
  const backend = createMemoryBackend();
  await put(backend, 'clusterroles/viewer', {
    metadata: { name: 'viewer' },
    rules: [
      { verbs: ['get', 'list', 'watch'], apiGroups: ['*'], resources: ['*'] },
      { verbs: ['get'], nonResourceURLs: ['/healthz'] },
    ],
  });
  await put(
    backend,
    'clusterrolebindings/all-view',
    binding('all-view', '', roleRef('ClusterRole', 'viewer'), [{ kind: 'Group', name: 'system:authenticated' }]),
  );
  await put(backend, 'clusterrolebindings/a', binding('a', '', roleRef('ClusterRole', 'gone'), [{ kind: 'User', name: 'alice' }]));
  await put(backend, 'clusterrolebindings/b', binding('b', '', roleRef('ClusterRole', 'gone2'), [{ kind: 'User', name: 'alice' }]));
  // a ClusterRole bound in a namespace grants only there
  await put(backend, 'rolebindings/ns2/edit', binding('edit', 'ns2', roleRef('ClusterRole', 'viewer'), [{ kind: 'User', name: 'bob' }]));
  const feed = startPolicyFeed(backend);
  await feed.ready();
  const z = createRbacAuthorizer(feed.index);
  const r = z.authorize(attrs(alice, { namespace: '' }));
  assert.equal(r.decision, 'allow');
  assert.equal(r.reason, 'RBAC: allowed by ClusterRoleBinding "all-view" of ClusterRole "viewer" to Group "system:authenticated"');
  assert.equal(z.authorize(attrs(alice, { resourceRequest: false, verb: 'get', path: '/healthz' })).decision, 'allow');
  const no = z.authorize(attrs(alice, { verb: 'delete' }));
  assert.equal(
    no.reason,
    'RBAC: [clusterrole.rbac.authorization.k8s.io "gone" not found, clusterrole.rbac.authorization.k8s.io "gone2" not found]',
  );
  const bob: UserInfo = { name: 'bob', groups: [] };
  assert.equal(z.authorize(attrs(bob, { namespace: 'ns2' })).decision, 'allow');
  assert.equal(z.authorize(attrs(bob, { namespace: 'ns1' })).decision, 'no-opinion');
  assert.equal(z.authorize(attrs(bob, { namespace: '' })).decision, 'no-opinion');
  const rules = z.rulesFor(alice, 'ns1');
  assert.deepEqual(rules.nonResourceRules, [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }]);
  assert.equal(rules.resourceRules.length, 1);
  feed.stop();
  await backend.close();
});

test('after its watch ends, the index relists and catches up with what it missed', async () => {
  const inner = createMemoryBackend();
  let handlers: WatchHandlers | undefined;
  let cancelInner: (() => void) | undefined;
  const backend: Backend = Object.assign(Object.create(inner) as Backend, {
    watch(prefix: string, after: number, h: WatchHandlers) {
      handlers = h;
      const w = inner.watch(prefix, after, h);
      cancelInner = () => w.cancel();
      return w;
    },
  });
  const feed = startPolicyFeed(backend);
  await feed.ready();
  const z = createRbacAuthorizer(feed.index);
  cancelInner?.(); // the watch is gone: writes are missed until the relist
  await put(inner, 'clusterroles/r', { metadata: { name: 'r' }, rules: [{ verbs: ['list'], apiGroups: [''], resources: ['pods'] }] });
  await put(inner, 'clusterrolebindings/b', binding('b', '', roleRef('ClusterRole', 'r'), [{ kind: 'User', name: 'alice' }]));
  await inner.compact(await inner.currentRevision());
  await tick();
  assert.equal(z.authorize(attrs(alice)).decision, 'no-opinion', 'missed while the watch was down');
  handlers?.onError(new Error('required revision has been compacted'));
  for (let i = 0; i < 100 && z.authorize(attrs(alice)).decision !== 'allow'; i++) await tick();
  assert.equal(z.authorize(attrs(alice)).decision, 'allow');
  // and it keeps following the new watch
  await inner.delete(`${RBAC_PREFIX}clusterrolebindings/b`);
  await tick();
  assert.equal(z.authorize(attrs(alice)).decision, 'no-opinion');
  feed.stop();
  await inner.close();
});
