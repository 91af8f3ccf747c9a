import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../../api/gen/types.js';
import type { KindDef } from '../../api/kind.js';
import type { AnyObject } from '../../api/object.js';
import { leaseKind } from '../../api/kinds/coordination/lease.js';
import { nodeKind } from '../../api/kinds/core/node.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { serviceAccountKind } from '../../api/kinds/core/service-account.js';
import { isStatusError } from '../../base/errors.js';
import { adminUser, nodeUser } from '../auth/user.js';
import { createNodeRestriction } from './node-restriction.js';
import type { AdmissionOperation, AdmissionRequest } from './plugin.js';

const node = (name: string, labels: Record<string, string> = {}, taints?: NonNullable<Node['spec']>['taints']): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, uid: `uid-${name}`, labels },
  spec: taints ? { taints } : {},
});
const pod = (name: string, nodeName: string | undefined, extra: Partial<Pod> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'a' }, ...extra.metadata },
  spec: { containers: [{ name: 'c', image: 'x' }], ...(nodeName ? { nodeName } : {}), ...extra.spec },
});

const pods: Record<string, Pod> = { mine: pod('mine', 'n1'), theirs: pod('theirs', 'n2') };
const plugin = createNodeRestriction({
  getPod: async (_ns, name) => pods[name],
  getNode: async (name) => (name === 'n1' ? node('n1') : undefined),
});

interface Req {
  op: AdmissionOperation;
  kind: KindDef;
  sub?: string;
  ns?: string;
  name: string;
  object?: object;
  old?: object;
  user?: AdmissionRequest['user'];
}
const run = (r: Req) =>
  plugin.validate!({
    operation: r.op,
    kind: r.kind,
    subresource: r.sub,
    namespace: r.ns,
    name: r.name,
    object: r.object as AnyObject | undefined,
    oldObject: r.old as AnyObject | undefined,
    user: r.user ?? nodeUser('n1'),
    dryRun: false,
    warn: () => undefined,
  });
const refused = async (r: Req, message: string) =>
  assert.rejects(Promise.resolve(run(r)), (e: unknown) => isStatusError(e) && e.code === 403 && e.message === message);

test('a node creates and updates only its own Node', async () => {
  await run({
    op: 'CREATE',
    kind: nodeKind,
    name: 'n1',
    object: node('n1', { 'kubernetes.io/os': 'linux', 'node.kubernetes.io/windows-build': '10.0.20348' }),
  });
  await refused(
    { op: 'CREATE', kind: nodeKind, name: 'n2', object: node('n2') },
    'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"',
  );
  await refused(
    { op: 'UPDATE', kind: nodeKind, sub: 'status', name: 'n2', object: node('n2'), old: node('n2') },
    'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"',
  );
  await run({ op: 'UPDATE', kind: nodeKind, sub: 'status', name: 'n1', object: node('n1'), old: node('n1') });
  // other users are not this plugin's business
  await run({
    op: 'UPDATE',
    kind: nodeKind,
    name: 'n2',
    object: node('n2', { 'node-restriction.kubernetes.io/x': 'y' }),
    old: node('n2'),
    user: adminUser(),
  });
});

test('labels: none under node-restriction.kubernetes.io/, and kubernetes.io ones only from the kubelet set', async () => {
  await refused(
    {
      op: 'CREATE',
      kind: nodeKind,
      name: 'n1',
      object: node('n1', { 'node-restriction.kubernetes.io/pci': 'yes', 'kubernetes.io/os': 'linux' }),
    },
    'nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: node-restriction.kubernetes.io/pci',
  );
  await refused(
    {
      op: 'UPDATE',
      kind: nodeKind,
      name: 'n1',
      object: node('n1', { 'node-role.kubernetes.io/control-plane': '', 'a.k8s.io/x': '1' }),
      old: node('n1'),
    },
    'nodes "n1" is forbidden: is not allowed to modify labels: a.k8s.io/x, node-role.kubernetes.io/control-plane',
  );
  // removing a restricted label set by an administrator is a modification too
  await refused(
    {
      op: 'UPDATE',
      kind: nodeKind,
      name: 'n1',
      object: node('n1'),
      old: node('n1', { 'example.node-restriction.kubernetes.io/zone': 'a' }),
    },
    'nodes "n1" is forbidden: is not allowed to modify labels: example.node-restriction.kubernetes.io/zone',
  );
  // the kubelet's own, its namespaces, and labels outside kubernetes.io are fine; unchanged ones are never judged
  await run({
    op: 'UPDATE',
    kind: nodeKind,
    name: 'n1',
    object: node('n1', {
      'kubernetes.io/hostname': 'n1',
      'kubelet.kubernetes.io/x': '1',
      'example.com/rack': '7',
      'node-role.kubernetes.io/worker': '',
    }),
    old: node('n1', { 'node-role.kubernetes.io/worker': '' }),
  });
});

test('taints: set at registration, never changed by the node afterwards', async () => {
  const t = [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }];
  await run({ op: 'CREATE', kind: nodeKind, name: 'n1', object: node('n1', {}, t) });
  await run({ op: 'UPDATE', kind: nodeKind, name: 'n1', object: node('n1', {}, t), old: node('n1', {}, t) });
  await run({ op: 'UPDATE', kind: nodeKind, name: 'n1', object: node('n1', {}, []), old: node('n1') });
  await refused(
    { op: 'UPDATE', kind: nodeKind, name: 'n1', object: node('n1'), old: node('n1', {}, t) },
    'nodes "n1" is forbidden: node "n1" is not allowed to modify taints',
  );
});

test('pods: status and deletes of own pods only; creates only proper mirror pods', async () => {
  await run({ op: 'UPDATE', kind: podKind, sub: 'status', ns: 'default', name: 'mine', object: pods['mine'], old: pods['mine'] });
  await refused(
    { op: 'UPDATE', kind: podKind, sub: 'status', ns: 'default', name: 'theirs', object: pods['theirs'], old: pods['theirs'] },
    'pods "theirs" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself',
  );
  await refused(
    {
      op: 'UPDATE',
      kind: podKind,
      sub: 'status',
      ns: 'default',
      name: 'mine',
      object: pod('mine', 'n1', { metadata: { labels: { app: 'b' } } }),
      old: pods['mine'],
    },
    'pods "mine" is forbidden: node "n1" cannot update labels through pod status',
  );
  await run({ op: 'DELETE', kind: podKind, ns: 'default', name: 'mine', old: pods['mine'] });
  await refused(
    { op: 'DELETE', kind: podKind, ns: 'default', name: 'theirs', old: pods['theirs'] },
    'pods "theirs" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself',
  );
  await refused(
    { op: 'UPDATE', kind: podKind, ns: 'default', name: 'mine', object: pods['mine'], old: pods['mine'] },
    'pods "mine" is forbidden: unexpected operation "UPDATE", node "n1" can only create and delete mirror pods',
  );
  await refused(
    { op: 'CREATE', kind: podKind, ns: 'default', name: 'x', object: pod('x', 'n1') },
    'pods "x" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods',
  );
  const owner = { apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'uid-n1', controller: true };
  const mirror = (over: Partial<Pod['metadata']> = {}, spec: Partial<NonNullable<Pod['spec']>> = {}, nodeName = 'n1') =>
    pod('m', nodeName, {
      metadata: { name: 'm', annotations: { 'kubernetes.io/config.mirror': 'h' }, ownerReferences: [owner], ...over },
      spec: { containers: [{ name: 'c' }], ...spec },
    });
  await run({ op: 'CREATE', kind: podKind, ns: 'default', name: 'm', object: mirror() });
  await refused(
    { op: 'CREATE', kind: podKind, ns: 'default', name: 'm', object: mirror({}, {}, 'n2') },
    'pods "m" is forbidden: node "n1" can only create pods with spec.nodeName set to itself',
  );
  await refused(
    { op: 'CREATE', kind: podKind, ns: 'default', name: 'm', object: mirror({ ownerReferences: [{ ...owner, uid: 'forged' }] }) },
    'pods "m" is forbidden: node n1 UID mismatch: expected forged got uid-n1',
  );
  await refused(
    {
      op: 'CREATE',
      kind: podKind,
      ns: 'default',
      name: 'm',
      object: mirror({}, { volumes: [{ name: 'v', secret: { secretName: 's' } }] }),
    },
    'pods "m" is forbidden: node "n1" can not create pods that reference secrets',
  );
  await refused(
    { op: 'CREATE', kind: podKind, ns: 'default', name: 'm', object: mirror({}, { serviceAccountName: 'default' }) },
    'pods "m" is forbidden: node "n1" can not create pods that reference a service account',
  );
  await refused(
    { op: 'UPDATE', kind: podKind, sub: 'exec', ns: 'default', name: 'mine' },
    `pods "mine" is forbidden: unexpected pod subresource "exec", only 'status' and 'eviction' are allowed`,
  );
  await refused(
    { op: 'CREATE', kind: podKind, sub: 'eviction', ns: 'default', name: 'theirs', object: { metadata: { name: 'theirs' } } },
    'pods "theirs" is forbidden: node n1 can only evict pods with spec.nodeName set to itself',
  );
  await run({ op: 'CREATE', kind: podKind, sub: 'eviction', ns: 'default', name: 'mine', object: { metadata: { name: 'mine' } } });
});

test('leases: only the own one, only in kube-node-lease', async () => {
  const lease = (name: string) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'kube-node-lease' },
  });
  await run({ op: 'CREATE', kind: leaseKind, ns: 'kube-node-lease', name: 'n1', object: lease('n1') });
  await run({ op: 'UPDATE', kind: leaseKind, ns: 'kube-node-lease', name: 'n1', object: lease('n1'), old: lease('n1') });
  await refused(
    { op: 'CREATE', kind: leaseKind, ns: 'kube-node-lease', name: 'n2', object: lease('n2') },
    'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node',
  );
  await refused(
    { op: 'UPDATE', kind: leaseKind, ns: 'kube-system', name: 'n1', object: lease('n1'), old: lease('n1') },
    'leases.coordination.k8s.io "n1" is forbidden: can only access leases in the "kube-node-lease" system namespace',
  );
});

test('service account tokens: only bound to a pod of the node, with its uid', async () => {
  const tr = (ref?: object) => ({
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: { name: 'default' },
    spec: { audiences: [], ...(ref ? { boundObjectRef: ref } : {}) },
  });
  const base = { op: 'CREATE' as const, kind: serviceAccountKind, sub: 'token', ns: 'default', name: 'default' };
  await run({ ...base, object: tr({ apiVersion: 'v1', kind: 'Pod', name: 'mine', uid: 'uid-mine' }) });
  await refused({ ...base, object: tr() }, 'serviceaccounts "default" is forbidden: node requested token not bound to a pod');
  await refused(
    { ...base, object: tr({ apiVersion: 'v1', kind: 'Pod', name: 'theirs', uid: 'uid-theirs' }) },
    'serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node',
  );
  await refused(
    { ...base, object: tr({ apiVersion: 'v1', kind: 'Pod', name: 'mine', uid: 'old' }) },
    'serviceaccounts "default" is forbidden: the UID in the bound object reference (old) does not match the UID in record. The object might have been deleted and then recreated',
  );
});
