// etcd's error strings as storage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StorageUnavailableError } from '../backend.js';
import { mapEtcdError } from './etcd-errors.js';

test('etcd errors: unavailable ones carry etcd reason, others pass through', () => {
  const full = Object.assign(new Error('8 RESOURCE_EXHAUSTED: etcdserver: mvcc: database space exceeded'), {
    name: 'GRPCResourceExhastedError',
  });
  const m = mapEtcdError('etcd://a:1', 'a:1', full);
  assert.ok(m instanceof StorageUnavailableError);
  assert.equal(m.reason, 'etcdserver: mvcc: database space exceeded');
  const down = Object.assign(new Error('14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED. Resolution note: '), {
    name: 'GRPCUnavailableError',
  });
  const d = mapEtcdError('etcd://a:1', 'a:1', down);
  assert.ok(d instanceof StorageUnavailableError);
  assert.equal(d.reason, 'etcd at a:1: No connection established. Last error: connect ECONNREFUSED');
  const other = new Error('etcdserver: something else');
  assert.equal(mapEtcdError('etcd://a:1', 'a:1', other), other);
});
