import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultServiceAccount, needsDefaultServiceAccount } from './serviceaccount-decide.js';

test('a default ServiceAccount is wanted in active namespaces that lack one', () => {
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' }, status: { phase: 'Active' } };
  assert.equal(needsDefaultServiceAccount(ns, undefined), true);
  assert.equal(needsDefaultServiceAccount(ns, defaultServiceAccount('a')), false);
  assert.equal(needsDefaultServiceAccount({ ...ns, metadata: { name: 'a', deletionTimestamp: '2024-01-01T00:00:00Z' } }, undefined), false);
  assert.equal(needsDefaultServiceAccount({ ...ns, status: { phase: 'Terminating' } }, undefined), false);
  assert.equal(needsDefaultServiceAccount(undefined, undefined), false);
});
