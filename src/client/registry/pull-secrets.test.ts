import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authForImage, imageRegistry } from './pull-secrets.js';

test('pull secrets: the matching registry gives the credentials', () => {
  assert.equal(imageRegistry('busybox'), 'docker.io');
  assert.equal(imageRegistry('library/busybox:1'), 'docker.io');
  assert.equal(imageRegistry('127.0.0.1:5000/local/busybox:1'), '127.0.0.1:5000');
  assert.equal(imageRegistry('localhost/x'), 'localhost');
  const cfg = {
    auths: {
      'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw').toString('base64') },
      '127.0.0.1:5000': { username: 'u', password: 'p' },
    },
  };
  const secrets = [{ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(JSON.stringify(cfg)) } }];
  assert.deepEqual(authForImage('127.0.0.1:5000/a/b:1', secrets), { serverAddress: '127.0.0.1:5000', username: 'u', password: 'p' });
  const hub = authForImage('nginx:1', secrets);
  assert.equal(hub?.username, 'hub');
  assert.equal(hub?.password, 'pw');
  assert.equal(authForImage('quay.io/x/y', secrets), undefined);
  const old = [
    {
      type: 'kubernetes.io/dockercfg',
      data: { '.dockercfg': Buffer.from(JSON.stringify({ 'quay.io': { username: 'q', password: 'w' } })) },
    },
  ];
  assert.equal(authForImage('quay.io/x/y', old)?.username, 'q');
});
