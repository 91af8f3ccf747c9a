import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPublicPath, unauthorizedStatus } from './public-paths.js';

test('health and version paths are public, everything else is not', () => {
  for (const p of [
    '/healthz',
    '/livez',
    '/readyz',
    '/livez/ping',
    '/readyz/etcd',
    '/healthz/',
    '/readyz?verbose',
    '/livez?verbose=1&exclude=etcd',
    '/version',
    '/version/',
    '/version?timeout=32s',
    '/healthz/poststarthook/x',
  ]) {
    assert.equal(isPublicPath(p), true, p);
  }
  for (const p of [
    '/',
    '',
    '/api',
    '/apis',
    '/api/v1/secrets',
    '/openapi/v2',
    '/metrics',
    '/version/x',
    '/healthzz',
    '/livezz/ping',
    '/healthz/../api/v1/secrets',
    '/healthz/./x',
    '/healthz//x',
    '/healthz/%2e%2e/api',
    '/readyz/..',
    '/x/healthz',
    '/Healthz',
    '/healthz\\..\\api',
  ]) {
    assert.equal(isPublicPath(p), false, p);
  }
});

test('the 401 body is the upstream Unauthorized Status', () => {
  assert.equal(
    JSON.stringify(unauthorizedStatus()),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}',
  );
});
