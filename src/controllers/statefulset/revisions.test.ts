import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fnv1, newRevision, revisionData, revisionHash, revisionName, revisionsToPrune } from './revisions.js';
import { makeSet } from './testing/fake-world.js';
import { safeEncode } from '../shared/template-hash.js';

test('FNV-1 32 (Go hash/fnv New32), not FNV-1a', () => {
  assert.equal(fnv1(''), 0x811c9dc5);
  assert.equal(fnv1('a'), 0x050c5d7e);
  assert.equal(fnv1('foobar'), 0x31f0b262);
});

test('the revision records the template as a replace patch, keys sorted; hash and name as upstream builds them', () => {
  const set = makeSet();
  const data = revisionData(set);
  assert.equal(
    JSON.stringify(data),
    '{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"image":"nginx:1","name":"nginx"}]}}}}',
  );
  // the collision count is hashed as its decimal text after the data
  const expected = safeEncode(String(fnv1('0', fnv1(JSON.stringify(data)))));
  assert.equal(revisionHash(data, 0), expected);
  assert.notEqual(revisionHash(data, 1), expected);
  const rev = newRevision({ ...set, metadata: { ...set.metadata, annotations: { 'kubernetes.io/change-cause': 'v1' } } }, 4, 0);
  assert.equal(rev.metadata.name, `web-${expected}`);
  assert.equal(rev.revision, 4);
  assert.deepEqual(rev.metadata.labels, { app: 'nginx', 'controller.kubernetes.io/hash': expected });
  assert.deepEqual(rev.metadata.annotations, { 'kubernetes.io/change-cause': 'v1' });
  assert.equal(rev.metadata.ownerReferences?.[0]?.controller, true);
  // a changed template changes the hash; the same template in another key order does not
  const other = makeSet();
  other.spec.template.spec!.containers[0]!.image = 'nginx:2';
  assert.notEqual(revisionHash(revisionData(other), 0), expected);
  const reordered = makeSet();
  reordered.spec.template = { spec: { containers: [{ image: 'nginx:1', name: 'nginx' }] }, metadata: { labels: { app: 'nginx' } } };
  assert.equal(revisionHash(revisionData(reordered), 0), expected);
  assert.equal(revisionName('x'.repeat(300), 'abc').length, 223 + 4);
});

test('pruning keeps the live revisions and the newest non-live ones up to the limit', () => {
  const set = makeSet();
  const revs = [1, 2, 3, 4, 5].map((n) => ({ ...newRevision(set, n, n), metadata: { name: `r${n}` } }));
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', labels: { 'controller-revision-hash': 'r1' } } };
  assert.deepEqual(
    revisionsToPrune(revs, [pod], ['r5'], 1).map((r) => r.metadata.name),
    ['r2', 'r3'],
  );
  assert.deepEqual(revisionsToPrune(revs, [pod], ['r5'], 10), []);
});
