// The etcd:// spec: endpoints and prefix as parsed (the refusals are in create-backend.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEtcdSpec } from './etcd-spec.js';

test('etcd spec: one or several endpoints, an optional prefix', () => {
  assert.deepEqual(parseEtcdSpec('etcd://127.0.0.1:2379'), { endpoints: ['127.0.0.1:2379'], prefix: '' });
  assert.deepEqual(parseEtcdSpec('etcd://a:1,b.example.com:2,[::1]:3'), { endpoints: ['a:1', 'b.example.com:2', '[::1]:3'], prefix: '' });
  assert.deepEqual(parseEtcdSpec('etcd://a:1/'), { endpoints: ['a:1'], prefix: '' });
  assert.deepEqual(parseEtcdSpec('etcd://a:1/tenant-a'), { endpoints: ['a:1'], prefix: '/tenant-a' });
  assert.deepEqual(parseEtcdSpec('etcd://a:1,b:2/clusters/blue.1/'), { endpoints: ['a:1', 'b:2'], prefix: '/clusters/blue.1' });
  assert.deepEqual(parseEtcdSpec('etcd://a:02379'), { endpoints: ['a:2379'], prefix: '' });
});
