import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../../api/gen/types.js';
import { forbiddenError, unionAuthorizer, privilegedGroupAuthorizer, type AuthorizationAttributes } from '../index.js';
import { nodeUser } from '../user.js';
import { NodeGraph } from './graph.js';
import { createNodeAuthorizer } from './node-authorizer.js';

const pod = (
  name: string,
  node: string | undefined,
  spec: Partial<NonNullable<Pod['spec']>> = {},
  annotations?: Record<string, string>,
): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, ...(annotations ? { annotations } : {}) },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...(node ? { nodeName: node } : {}), ...spec },
});

const attrs = (node: string, over: Partial<AuthorizationAttributes>): AuthorizationAttributes => ({
  user: nodeUser(node),
  verb: 'get',
  resourceRequest: true,
  path: '/',
  apiGroup: '',
  apiVersion: 'v1',
  resource: 'secrets',
  subresource: '',
  namespace: 'default',
  name: '',
  ...over,
});

function setup() {
  const graph = new NodeGraph();
  const z = createNodeAuthorizer(graph);
  const ask = async (node: string, over: Partial<AuthorizationAttributes>) => z.authorize(attrs(node, over));
  const canGet = async (node: string, resource: string, name: string) => (await ask(node, { resource, name })).decision === 'allow';
  return { graph, z, ask, canGet };
}

test('a secret referenced through env, envFrom, a volume, a projected source or imagePullSecrets is readable by the bound node only', async () => {
  const { graph, canGet } = setup();
  graph.setPod(
    pod('p', 'n1', {
      imagePullSecrets: [{ name: 'pull' }],
      initContainers: [{ name: 'i', image: 'x', envFrom: [{ secretRef: { name: 'init-env' } }] }],
      containers: [{ name: 'c', image: 'x', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'env', key: 'k' } } }] }],
      volumes: [
        { name: 'v', secret: { secretName: 'vol' } },
        { name: 'pr', projected: { sources: [{ secret: { name: 'proj' } }, { configMap: { name: 'proj-cm' } }] } },
        { name: 'cm', configMap: { name: 'cm-vol' } },
        { name: 'claim', persistentVolumeClaim: { claimName: 'data' } },
        { name: 'eph', ephemeral: { volumeClaimTemplate: { spec: {} } } },
      ],
    }),
  );
  for (const s of ['pull', 'init-env', 'env', 'vol', 'proj']) {
    assert.ok(await canGet('n1', 'secrets', s), `n1 reads secret ${s}`);
    assert.ok(!(await canGet('n2', 'secrets', s)), `n2 does not read secret ${s}`);
  }
  assert.ok(await canGet('n1', 'configmaps', 'proj-cm'));
  assert.ok(await canGet('n1', 'configmaps', 'cm-vol'));
  assert.ok(!(await canGet('n1', 'configmaps', 'vol')), 'a secret name does not open a configmap of that name');
  assert.ok(await canGet('n1', 'persistentvolumeclaims', 'data'));
  assert.ok(await canGet('n1', 'persistentvolumeclaims', 'p-eph'), 'the claim of a generic ephemeral volume');
  assert.ok(!(await canGet('n1', 'secrets', 'unrelated')));
});

test('the reason and the 403 text are upstream words', async () => {
  const { ask } = setup();
  const a = attrs('n1', { name: 's' });
  const r = await ask('n1', { name: 's' });
  assert.equal(r.decision, 'no-opinion');
  assert.equal(r.reason, "no relationship found between node 'n1' and this object");
  assert.equal(
    forbiddenError(a, r.reason).message,
    `secrets "s" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'n1' and this object`,
  );
});

test('an unbound pod grants nothing; binding grants; deleting or moving the pod takes it away', async () => {
  const { graph, canGet } = setup();
  graph.setPod(pod('p', undefined, { volumes: [{ name: 'v', secret: { secretName: 's' } }] }));
  assert.ok(!(await canGet('n1', 'secrets', 's')));
  graph.setPod(pod('p', 'n1', { volumes: [{ name: 'v', secret: { secretName: 's' } }] }));
  assert.ok(await canGet('n1', 'secrets', 's'));
  graph.deletePod('default', 'p');
  assert.ok(!(await canGet('n1', 'secrets', 's')));
  assert.equal(graph.podCount, 0);
});

test('two pods on one node share a secret: it stays readable until the last one goes', async () => {
  const { graph, canGet } = setup();
  const spec = { volumes: [{ name: 'v', secret: { secretName: 's' } }] };
  graph.setPod(pod('a', 'n1', spec));
  graph.setPod(pod('b', 'n1', spec));
  graph.deletePod('default', 'a');
  assert.ok(await canGet('n1', 'secrets', 's'));
  graph.setPod(pod('b', 'n1', {})); // an update that drops the reference
  assert.ok(!(await canGet('n1', 'secrets', 's')));
});

test('secrets in another namespace of the same name are not related', async () => {
  const { graph, ask } = setup();
  graph.setPod(pod('p', 'n1', { volumes: [{ name: 'v', secret: { secretName: 's' } }] }));
  assert.equal((await ask('n1', { name: 's', namespace: 'other' })).decision, 'no-opinion');
});

test('secrets: list and watch of a named object allowed, writes and unnamed lists refused with upstream reasons', async () => {
  const { graph, ask } = setup();
  graph.setPod(pod('p', 'n1', { volumes: [{ name: 'v', secret: { secretName: 's' } }] }));
  assert.equal((await ask('n1', { verb: 'watch', name: 's' })).decision, 'allow');
  assert.equal((await ask('n1', { verb: 'update', name: 's' })).reason, 'can only read resources of this type');
  assert.equal((await ask('n1', { verb: 'list', name: '' })).reason, 'No Object name found');
  assert.equal((await ask('n1', { namespace: '', name: 's' })).reason, 'can only read namespaced object of this type');
});

test('service account tokens: create of the token subresource for a pod bound to the node', async () => {
  const { graph, ask } = setup();
  graph.setPod(pod('p', 'n1', { serviceAccountName: 'runner' }));
  const token = { resource: 'serviceaccounts', subresource: 'token', verb: 'create', name: 'runner' };
  assert.equal((await ask('n1', token)).decision, 'allow');
  assert.equal((await ask('n2', token)).decision, 'no-opinion');
  assert.equal((await ask('n1', { ...token, name: 'default' })).decision, 'no-opinion');
  assert.equal(
    (await ask('n1', { resource: 'serviceaccounts', name: 'runner' })).reason,
    'can only create tokens for individual service accounts',
  );
});

test('a mirror pod grants nothing beyond itself', async () => {
  const { graph, canGet } = setup();
  graph.setPod(pod('m', 'n1', { volumes: [{ name: 'v', secret: { secretName: 's' } }] }, { 'kubernetes.io/config.mirror': 'x' }));
  assert.ok(!(await canGet('n1', 'secrets', 's')));
  assert.ok(graph.related('n1', 'pod', 'default', 'm'));
});

test('leases: only the own one in kube-node-lease', async () => {
  const { ask } = setup();
  const lease = { apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease' };
  assert.equal((await ask('n1', { ...lease, verb: 'update', name: 'n1' })).decision, 'allow');
  assert.equal((await ask('n1', { ...lease, verb: 'create', name: '' })).decision, 'allow');
  assert.equal(
    (await ask('n1', { ...lease, verb: 'update', name: 'n2' })).reason,
    'can only access node lease with the same name as the requesting node',
  );
  assert.equal(
    (await ask('n1', { ...lease, verb: 'get', name: 'n1', namespace: 'default' })).reason,
    'can only access leases in the "kube-node-lease" system namespace',
  );
  assert.equal(
    (await ask('n1', { ...lease, verb: 'list', name: '' })).reason,
    'can only get, create, update, patch, or delete a node lease',
  );
});

test('the static node rules: what a kubelet does, and nothing more', async () => {
  const { ask } = setup();
  const allowed: Array<Partial<AuthorizationAttributes>> = [
    { resource: 'nodes', verb: 'create', namespace: '' },
    { resource: 'nodes', verb: 'patch', name: 'n2', namespace: '' }, // NodeRestriction decides whose
    { resource: 'nodes', subresource: 'status', verb: 'patch', name: 'n1', namespace: '' },
    { resource: 'pods', verb: 'list', namespace: '' },
    { resource: 'pods', subresource: 'status', verb: 'patch', name: 'p' },
    { resource: 'pods', verb: 'delete', name: 'p' },
    { resource: 'events', verb: 'create' },
    { apiGroup: 'events.k8s.io', resource: 'events', verb: 'create' },
    { resource: 'services', verb: 'watch' },
    { apiGroup: 'node.k8s.io', resource: 'runtimeclasses', verb: 'get', name: 'process', namespace: '' },
    { apiGroup: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', namespace: '' },
    { apiGroup: 'authentication.k8s.io', resource: 'tokenreviews', verb: 'create', namespace: '' },
    { apiGroup: 'authorization.k8s.io', resource: 'subjectaccessreviews', verb: 'create', namespace: '' },
    // Tandem: local-path cleanup (NodeRestriction narrows the writes)
    { resource: 'persistentvolumes', verb: 'watch', namespace: '' },
    { resource: 'persistentvolumes', verb: 'patch', name: 'pv', namespace: '' },
  ];
  for (const a of allowed) assert.equal((await ask('n1', a)).decision, 'allow', JSON.stringify(a));
  const refused: Array<Partial<AuthorizationAttributes>> = [
    { resource: 'pods', subresource: 'exec', verb: 'create', name: 'p' },
    { resource: 'nodes', verb: 'delete', name: 'n1', namespace: '' },
    { resource: 'namespaces', verb: 'create', namespace: '' },
    { apiGroup: 'apps', resource: 'deployments', verb: 'list' },
    { apiGroup: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'approval', verb: 'update', namespace: '' },
    { resource: 'persistentvolumes', verb: 'delete', name: 'pv', namespace: '' },
  ];
  for (const a of refused) assert.equal((await ask('n1', a)).decision, 'no-opinion', JSON.stringify(a));
  assert.equal((await ask('n1', { resourceRequest: false, path: '/healthz', verb: 'get' })).decision, 'no-opinion');
});

test('users that are not nodes are left to the others; a node without a name is refused', async () => {
  const { z } = setup();
  const notNode = { name: 'system:node:n1', groups: ['system:authenticated'] };
  assert.deepEqual(await z.authorize(attrs('n1', { user: notNode, resource: 'nodes', verb: 'create' })), {
    decision: 'no-opinion',
    reason: '',
  });
  const nameless = { name: 'system:node:', groups: ['system:nodes'] };
  assert.equal(
    (await z.authorize(attrs('', { user: nameless, resource: 'nodes', verb: 'create' }))).reason,
    'unknown node for user "system:node:"',
  );
  // behind the privileged-group authorizer, in the server's order
  const chain = unionAuthorizer([privilegedGroupAuthorizer, z]);
  assert.equal((await chain.authorize(attrs('n1', { name: 's' }))).decision, 'no-opinion');
});
