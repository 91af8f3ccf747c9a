// The upstream key layout: every table row both ways, bijectivity over keys Tandem makes and over
// odd keys, refusals of keys that have no image, and the range plans of prefixes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnmappableKeyError, UPSTREAM_KEY_TABLE, UPSTREAM_LAYOUT as L } from './key-layout.js';
import { KeySpace, prefixEnd } from './etcd-keyspace.js';

test('key layout: upstream paths for built-in resources, group paths kept for the rest', () => {
  const cases: Array<[string, string]> = [
    ['/registry/core/pods/default/web-1', '/registry/pods/default/web-1'],
    ['/registry/core/services/default/kubernetes', '/registry/services/specs/default/kubernetes'],
    ['/registry/core/endpoints/default/kubernetes', '/registry/services/endpoints/default/kubernetes'],
    ['/registry/core/nodes/n1', '/registry/minions/n1'],
    ['/registry/core/replicationcontrollers/ns/rc', '/registry/controllers/ns/rc'],
    ['/registry/core/namespaces/default', '/registry/namespaces/default'],
    ['/registry/apps/deployments/ns/d', '/registry/deployments/ns/d'],
    ['/registry/networking.k8s.io/ingresses/ns/i', '/registry/ingress/ns/i'],
    ['/registry/rbac.authorization.k8s.io/clusterroles/admin', '/registry/clusterroles/admin'],
    ['/registry/coordination.k8s.io/leases/kube-system/l', '/registry/leases/kube-system/l'],
    ['/registry/events.k8s.io/events/ns/e', '/registry/events.k8s.io/events/ns/e'],
    ['/registry/apiextensions.k8s.io/customresourcedefinitions/w.g.io', '/registry/apiextensions.k8s.io/customresourcedefinitions/w.g.io'],
    ['/registry/apiregistration.k8s.io/apiservices/v1.', '/registry/apiregistration.k8s.io/apiservices/v1.'],
    ['/registry/g.example.com/widgets/ns/w', '/registry/g.example.com/widgets/ns/w'],
    ['/registry/ranges/serviceips/10.0.0.1', '/registry/ranges/serviceips/10.0.0.1'],
    ['/registry/core/bindings/x', '/registry/core/bindings/x'],
    ['/tandem/cluster', '/tandem/cluster'],
    ['', ''],
  ];
  for (const [tandem, etcd] of cases) {
    assert.equal(L.toEtcd(tandem), etcd, tandem);
    assert.equal(L.fromEtcd(etcd), tandem, etcd);
  }
});

test('key layout: the table is a bijection and refuses keys without an image', () => {
  const tandem = UPSTREAM_KEY_TABLE.map(([t]) => t);
  const etcd = UPSTREAM_KEY_TABLE.map(([, e]) => e);
  assert.equal(new Set(tandem).size, tandem.length);
  assert.equal(new Set(etcd).size, etcd.length);
  for (const [t, e] of UPSTREAM_KEY_TABLE) {
    assert.match(t, /^\/registry\/[^/]+\/[^/]+\/$/);
    assert.match(e, /^\/registry\/[a-z]+\/([a-z]+\/)?$/);
    // no etcd prefix lies inside another, and none is an identity image of a Tandem group path
    for (const e2 of etcd) if (e2 !== e) assert.ok(!e2.startsWith(e), `${e2} inside ${e}`);
    for (const t2 of tandem) assert.ok(!t2.startsWith(e) && !e.startsWith(t2), `${t2} vs ${e}`);
    for (const suffix of ['', 'a', 'ns/n', 'ü/🚀', 'x/']) {
      assert.equal(L.fromEtcd(L.toEtcd(t + suffix)), t + suffix);
      assert.equal(L.toEtcd(L.fromEtcd(e + suffix)), e + suffix);
    }
  }
  assert.throws(() => L.toEtcd('/registry/pods/default/x'), UnmappableKeyError);
  assert.throws(() => L.toEtcd('/registry/services/specs/a'), UnmappableKeyError);
  assert.equal(L.toEtcd('/registry/services/other'), '/registry/services/other');
});

test('key space: a prefix inside a resource is one range in order; a group prefix is several', () => {
  const ks = new KeySpace('/blue', L);
  assert.equal(ks.encode('/registry/core/pods/ns/a').toString(), '/blue/registry/pods/ns/a');
  assert.equal(ks.decode(Buffer.from('/blue/registry/minions/n1')), '/registry/core/nodes/n1');
  assert.equal(ks.decode(Buffer.from('/green/registry/minions/n1')), undefined);
  const pods = ks.plan('/registry/core/pods/ns1/');
  assert.equal(pods.exact, true);
  assert.deepEqual(
    pods.ranges.map((r) => [r.key.toString(), r.end.toString()]),
    [['/blue/registry/pods/ns1/', '/blue/registry/pods/ns10']],
  );
  const rbac = ks.plan('/registry/rbac.authorization.k8s.io/');
  assert.equal(rbac.exact, false);
  assert.deepEqual(rbac.ranges.map((r) => r.key.toString()).sort(), [
    '/blue/registry/clusterrolebindings/',
    '/blue/registry/clusterroles/',
    '/blue/registry/rbac.authorization.k8s.io/',
    '/blue/registry/rolebindings/',
    '/blue/registry/roles/',
  ]);
  const cover = ks.covering(rbac);
  assert.equal(cover.key.toString(), '/blue/registry/clusterrolebindings/');
  assert.equal(cover.end.toString(), '/blue/registry/roles0');
  assert.equal(ks.plan('/reg/x/').exact, true);
  assert.equal(ks.plan('/registry/').ranges.length, 1);
  assert.equal(ks.plan('/registry/').exact, false);
  assert.deepEqual([...prefixEnd(Buffer.from([0x61, 0xff, 0xff]))], [0x62]);
  assert.deepEqual([...prefixEnd(Buffer.from([0xff]))], [0]);
  const all = new KeySpace('').plan('');
  assert.deepEqual(
    [all.ranges[0]!.key, all.ranges[0]!.end].map((b) => [...b]),
    [[0], [0]],
  );
});
