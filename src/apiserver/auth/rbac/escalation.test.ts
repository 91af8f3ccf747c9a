import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterRoleBindingKind, roleBindingKind } from '../../../api/kinds/rbac/binding.js';
import { clusterRoleKind, roleKind } from '../../../api/kinds/rbac/role.js';
import type { KindDef } from '../../../api/kind.js';
import type { AnyObject } from '../../../api/object.js';
import { StatusError } from '../../../base/errors.js';
import type { AdmissionRequest } from '../../admission/plugin.js';
import { privilegedGroupAuthorizer, unionAuthorizer } from '../authorizer.js';
import type { UserInfo } from '../user.js';
import { compactRules, compactString, missingRules } from './covers.js';
import { createEscalationPlugin } from './escalation.js';
import { PolicyIndex, RBAC_PREFIX } from './policy-index.js';
import { createRbacAuthorizer } from './rbac-authorizer.js';

const alice: UserInfo = { name: 'alice', groups: ['devs', 'system:authenticated'] };
const ref = (kind: string, name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name });

function setup() {
  const index = new PolicyIndex();
  const put = (key: string, obj: object) => index.apply(`${RBAC_PREFIX}${key}`, JSON.stringify(obj), 1);
  // alice may manage pods and roles in ns1, and bind the `view` ClusterRole there
  put('roles/ns1/manager', {
    metadata: { name: 'manager' },
    rules: [
      { verbs: ['get', 'list', 'create'], apiGroups: [''], resources: ['pods', 'pods/log'] },
      { verbs: ['get', 'list', 'create', 'update'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'] },
      { verbs: ['bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['view'] },
    ],
  });
  put('rolebindings/ns1/m', { metadata: { name: 'm' }, roleRef: ref('Role', 'manager'), subjects: [{ kind: 'User', name: 'alice' }] });
  put('clusterroles/view', { metadata: { name: 'view' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }] });
  put('clusterroles/admin', { metadata: { name: 'admin' }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] });
  put('roles/ns1/small', { metadata: { name: 'small' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] });
  const rbac = createRbacAuthorizer(index);
  const authorizer = unionAuthorizer([privilegedGroupAuthorizer, rbac]);
  return { index, plugin: createEscalationPlugin({ authorizer, resolver: rbac, index }) };
}

const request = (kind: KindDef, object: object, o: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  operation: 'CREATE',
  kind,
  subresource: undefined,
  namespace: kind.namespaced ? 'ns1' : undefined,
  name: (object as { metadata: { name: string } }).metadata.name,
  object: object as AnyObject,
  oldObject: undefined,
  user: alice,
  dryRun: false,
  warn: () => undefined,
  ...o,
});

async function refusal(p: Promise<void> | void): Promise<StatusError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StatusError);
    return e;
  }
  assert.fail('expected a refusal');
}

test('a Role within what the user holds is allowed; more is refused with upstream text', async () => {
  const { plugin } = setup();
  const role = (rules: object[]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'r', namespace: 'ns1' },
    rules,
  });
  await plugin.validate!(request(roleKind, role([{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }])));
  const e = await refusal(
    plugin.validate!(
      request(roleKind, role([{ verbs: ['get', 'delete', 'deletecollection'], apiGroups: [''], resources: ['pods', 'secrets'] }])),
    ),
  );
  assert.equal(e.code, 403);
  assert.equal(
    e.message,
    'roles.rbac.authorization.k8s.io "r" is forbidden: user "alice" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
      '{APIGroups:[""], Resources:["pods"], Verbs:["delete" "deletecollection"]}\n' +
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete" "deletecollection"]}',
  );
  // in another namespace alice holds nothing
  await refusal(
    plugin.validate!(request(roleKind, role([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]), { namespace: 'ns2' })),
  );
  // system:masters hold everything
  await plugin.validate!(
    request(roleKind, role([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]), {
      user: { name: 'admin', groups: ['system:masters'] },
    }),
  );
});

test('escalate lets a user write any rule; an aggregationRule needs every permission', async () => {
  const { plugin, index } = setup();
  index.apply(
    `${RBAC_PREFIX}clusterroles/esc`,
    JSON.stringify({
      metadata: { name: 'esc' },
      rules: [{ verbs: ['escalate'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'] }],
    }),
    2,
  );
  index.apply(
    `${RBAC_PREFIX}clusterrolebindings/esc`,
    JSON.stringify({ metadata: { name: 'esc' }, roleRef: ref('ClusterRole', 'esc'), subjects: [{ kind: 'Group', name: 'devs' }] }),
    3,
  );
  const cr = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'big' },
    rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
  };
  await plugin.validate!(request(clusterRoleKind, cr));
  const bob: UserInfo = { name: 'bob', groups: [] };
  const agg = { ...cr, rules: [], aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] } };
  const e = await refusal(plugin.validate!(request(clusterRoleKind, agg, { user: bob })));
  assert.equal(
    e.message,
    'clusterroles.rbac.authorization.k8s.io "big" is forbidden: must have cluster-admin privileges to use the aggregationRule',
  );
});

test('a binding needs `bind` on its role or every rule of it', async () => {
  const { plugin } = setup();
  // `*` on roles includes `escalate` and `bind`: what alice holds is spelled out in setup()
  const rb = (roleRef: object, name = 'b') => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name, namespace: 'ns1' },
    roleRef,
    subjects: [{ kind: 'User', name: 'eve' }],
  });
  await plugin.validate!(request(roleBindingKind, rb(ref('Role', 'small')))); // alice holds get pods
  await plugin.validate!(request(roleBindingKind, rb(ref('ClusterRole', 'view')))); // bind on view
  const e = await refusal(plugin.validate!(request(roleBindingKind, rb(ref('ClusterRole', 'admin')))));
  assert.match(
    e.message,
    /^rolebindings\.rbac\.authorization\.k8s\.io "b" is forbidden: user "alice" .* not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}/,
  );
  const missing = await refusal(plugin.validate!(request(roleBindingKind, rb(ref('Role', 'nope')))));
  assert.equal(missing.message, 'rolebindings.rbac.authorization.k8s.io "b" is forbidden: role.rbac.authorization.k8s.io "nope" not found');
  // a cluster-wide binding of view: bind was granted only in ns1
  const crb = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'c' },
    roleRef: ref('ClusterRole', 'view'),
    subjects: [{ kind: 'User', name: 'eve' }],
  };
  await refusal(plugin.validate!(request(clusterRoleBindingKind, crb)));
});

test('covers: wildcards, */subresource, names and URLs', () => {
  const held = [
    { verbs: ['get'], apiGroups: [''], resources: ['*/status'] },
    { verbs: ['*'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] },
    { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
  ];
  assert.deepEqual(missingRules(held, [{ verbs: ['get'], apiGroups: [''], resources: ['pods/status'] }]), []);
  assert.equal(missingRules(held, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]).length, 1);
  assert.deepEqual(
    missingRules(held, [{ verbs: ['delete'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] }]),
    [],
  );
  assert.equal(
    missingRules(held, [{ verbs: ['delete'], apiGroups: ['apps'], resources: ['deployments'] }]).length,
    1,
    'a named rule does not cover all names',
  );
  assert.deepEqual(missingRules(held, [{ verbs: ['get'], nonResourceURLs: ['/apis/apps'] }]), []);
  const miss = missingRules(held, [{ verbs: ['get', 'post'], nonResourceURLs: ['/api', '/apis/x'] }]);
  assert.deepEqual(compactRules(miss).map(compactString), [
    '{NonResourceURLs:["/api"], Verbs:["get"]}',
    '{NonResourceURLs:["/api"], Verbs:["post"]}',
    '{NonResourceURLs:["/apis/x"], Verbs:["post"]}',
  ]);
});
