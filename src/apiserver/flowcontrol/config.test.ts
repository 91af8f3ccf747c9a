import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, seatsOf, type RequestDigest } from './config.js';
import { parseRequestInfo } from '../http/request-info.js';

const digest = (name: string, groups: string[], method: string, path: string): RequestDigest => ({
  user: { name, groups },
  path,
  info: parseRequestInfo(method, path, new URLSearchParams()),
});
const levelOf = (d: RequestDigest) => classify(d).level.name;
const AUTH = 'system:authenticated';

test('requests go to upstream bootstrap priority levels', () => {
  assert.equal(levelOf(digest('admin', ['system:masters', AUTH], 'GET', '/api/v1/pods')), 'exempt');
  assert.equal(levelOf(digest('system:anonymous', ['system:unauthenticated'], 'GET', '/readyz')), 'exempt');
  assert.equal(levelOf(digest('alice', [AUTH], 'GET', '/livez/ping')), 'exempt');
  assert.equal(levelOf(digest('system:anonymous', ['system:unauthenticated'], 'GET', '/version')), 'global-default');
  const node = ['system:nodes', AUTH];
  assert.equal(
    levelOf(digest('system:node:n1', node, 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1')),
    'node-high',
  );
  assert.equal(levelOf(digest('system:node:n1', node, 'PATCH', '/api/v1/nodes/n1/status')), 'node-high');
  assert.equal(levelOf(digest('system:node:n1', node, 'GET', '/api/v1/pods')), 'system');
  assert.equal(levelOf(digest('system:kube-scheduler', [AUTH], 'POST', '/api/v1/namespaces/a/pods/p/binding')), 'workload-high');
  assert.equal(
    levelOf(digest('system:kube-controller-manager', [AUTH], 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/x')),
    'leader-election',
  );
  const sa = ['system:serviceaccounts', 'system:serviceaccounts:kube-system', AUTH];
  assert.equal(levelOf(digest('system:serviceaccount:kube-system:deployment-controller', sa, 'GET', '/api/v1/pods')), 'workload-high');
  assert.equal(
    levelOf(digest('system:serviceaccount:default:app', ['system:serviceaccounts', AUTH], 'GET', '/api/v1/namespaces/default/pods')),
    'workload-low',
  );
  assert.equal(levelOf(digest('alice', [AUTH], 'GET', '/api/v1/configmaps')), 'global-default');
  assert.equal(levelOf(digest('odd', [], 'GET', '/api/v1/configmaps')), 'catch-all');
});

test('flows: one per user for ByUser schemas, per namespace for the controllers', () => {
  const a = classify(digest('alice', [AUTH], 'GET', '/api/v1/configmaps'));
  const b = classify(digest('bob', [AUTH], 'GET', '/api/v1/configmaps'));
  assert.notEqual(a.flow, b.flow);
  const k1 = classify(digest('system:kube-controller-manager', [AUTH], 'GET', '/api/v1/namespaces/x/pods'));
  const k2 = classify(digest('system:kube-controller-manager', [AUTH], 'GET', '/api/v1/namespaces/y/pods'));
  assert.notEqual(k1.flow, k2.flow);
  assert.match(a.schema.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('seats: upstream arithmetic (600 seats as upstream), and the smaller default', () => {
  assert.deepEqual(Object.fromEntries(seatsOf(600)), {
    system: 74,
    'node-high': 98,
    'leader-election': 25,
    'workload-high': 98,
    'workload-low': 245,
    'global-default': 49,
    'catch-all': 13,
  });
  assert.deepEqual(Object.fromEntries(seatsOf(200)), {
    system: 25,
    'node-high': 33,
    'leader-election': 9,
    'workload-high': 33,
    'workload-low': 82,
    'global-default': 17,
    'catch-all': 5,
  });
});
