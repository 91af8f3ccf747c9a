import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nullLogger } from '../../base/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { createFakeImageFacts, windowsEntries } from '../testing/fake-image-facts.js';
import { mkWindowsPod } from '../testing/fixtures.js';
import { createPodImageFacts } from './pod-image-facts.js';

const tick = () => new Promise((r) => setImmediate(r));

/** A client that serves one kind of call: GET of a secret, counted, from a map (undefined = 404). */
function secretsClient(secrets: Map<string, unknown>, gets: string[]): RestClient {
  const handle = (ns: string) => ({
    getOrUndefined: async (name: string) => {
      gets.push(`${ns}/${name}`);
      return secrets.get(`${ns}/${name}`);
    },
  });
  return { resource: () => ({ namespace: handle }) } as unknown as RestClient;
}

test('pods waiting on an image hear once when it settles; forgotten pods do not', async () => {
  const source = createFakeImageFacts();
  const f = createPodImageFacts({ source, now: Date.now, log: nullLogger });
  const heard: string[][] = [];
  f.onSettled((keys) => heard.push(keys.sort()));
  for (const n of ['a', 'b', 'c']) assert.equal(f.lookup(mkWindowsPod(n, ['img:1']), ['img:1']).state, 'pending');
  f.forget('default/c');
  source.known('img:1', windowsEntries('10.0.20348.1'));
  await tick();
  assert.deepEqual(heard, [['default/a', 'default/b']]);
  // known now: no registration left, a second settle reaches nobody
  assert.equal(f.lookup(mkWindowsPod('a', ['img:1']), ['img:1']).state, 'known');
  source.known('img:1', windowsEntries('10.0.20348.1'));
  await tick();
  assert.equal(heard.length, 1);
  f.stop();
});

test('pull secrets are read once in the background, cached, and turned into credentials per registry', async () => {
  const source = createFakeImageFacts();
  source.known('reg.example/app:1', windowsEntries('10.0.20348.1'), true);
  const gets: string[] = [];
  const cfg = { auths: { 'https://reg.example/v2/': { username: 'bob', password: 'pw' } } };
  const secrets = new Map<string, unknown>([
    [
      'team/regcred',
      { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(JSON.stringify(cfg)).toString('base64') } },
    ],
  ]);
  let now = 0;
  const f = createPodImageFacts({ source, client: secretsClient(secrets, gets), now: () => now, log: nullLogger, secretTtlMs: 30_000 });
  const heard: string[][] = [];
  f.onSettled((keys) => heard.push(keys));
  const pod = mkWindowsPod('p', ['reg.example/app:1'], {
    ns: 'team',
    spec: { imagePullSecrets: [{ name: 'regcred' }, { name: 'missing' }] },
  });
  const first = f.lookup(pod, ['reg.example/app:1']);
  assert.deepEqual(first, { state: 'pending', message: 'waiting to read the pull secret team/regcred' });
  await tick();
  // the pod waited on both secrets; the first read to settle wakes it, once
  assert.deepEqual(heard, [['team/p']]);
  assert.equal(f.lookup(pod, ['reg.example/app:1']).state, 'known');
  assert.deepEqual(source.peeks.at(-1)?.auth, { serverAddress: 'https://reg.example/v2/', username: 'bob', password: 'pw' });
  assert.deepEqual(gets.sort(), ['team/missing', 'team/regcred']);
  // within the TTL: no new read; after it: read again in the background while the old value answers
  f.lookup(pod, ['reg.example/app:1']);
  assert.equal(gets.length, 2);
  now = 31_000;
  assert.equal(f.lookup(pod, ['reg.example/app:1']).state, 'known');
  await tick();
  assert.equal(gets.length, 4);
  f.stop();
});

test('a failure is answered before a pending image, with whether credentials were used', () => {
  const source = createFakeImageFacts();
  source.fail('reg.example/bad:1', 'RegistryUnauthorized', 'registry reg.example answered 401', true);
  const f = createPodImageFacts({ source, now: Date.now, log: nullLogger });
  const r = f.lookup(mkWindowsPod('p', ['reg.example/new:1', 'reg.example/bad:1']), ['reg.example/new:1', 'reg.example/bad:1']);
  assert.deepEqual(r, {
    state: 'failed',
    image: 'reg.example/bad:1',
    registry: 'reg.example',
    reason: 'RegistryUnauthorized',
    message: 'registry reg.example answered 401',
    withCredentials: false,
  });
  f.stop();
});
