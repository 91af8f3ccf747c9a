import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIService } from '../api/gen/types.js';
import { apiServiceKind } from '../api/kinds/apiregistration/apiservice.js';
import { allKinds } from '../api/kinds/index.js';
import { createRestClient } from '../client/rest-client.js';
import { ensurePki } from '../pki/index.js';
import { createBackend } from '../storage/index.js';
import { reconcileAPIServices } from './apiservices.js';
import { createRequestAuthenticator, createTokenAuthenticator } from './auth/index.js';
import { createApiServer } from './server.js';

test('Local APIServices: created Available, restored after edits, stale ones removed, user ones kept', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-apiservices-'));
  const backend = await createBackend('memory');
  const pki = await ensurePki(dir, { hosts: ['127.0.0.1'] });
  const token = 'tok-admin-0123456789';
  const api = await createApiServer({
    backend,
    kinds: allKinds,
    authenticator: createRequestAuthenticator({
      static: createTokenAuthenticator([{ token, user: { name: 'admin', uid: 'u', groups: ['system:masters', 'system:authenticated'] } }]),
    }),
    authorizer: { authorize: () => ({ decision: 'allow', reason: '' }) },
    tls: { cert: pki.certPem, key: pki.keyPem, ca: pki.caCertPem },
    advertiseAddress: '127.0.0.1:0',
  });
  const port = await api.listen('127.0.0.1', 0);
  const client = createRestClient({ server: `https://127.0.0.1:${port}`, caPem: pki.caCertPem, token });
  t.after(async () => {
    client.close();
    await api.close();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const apis = client.resource(apiServiceKind);
  const names = async () => (await apis.list()).items.map((a) => a.metadata.name ?? '').sort();

  await reconcileAPIServices(client, ['v1', 'apps/v1', 'networking.k8s.io/v1', 'example.io/v1alpha1']);
  assert.deepEqual(await names(), ['v1.', 'v1.apps', 'v1.networking.k8s.io', 'v1alpha1.example.io']);
  const core = await apis.get('v1.');
  assert.deepEqual(core.spec, { version: 'v1', groupPriorityMinimum: 18000, versionPriority: 1 });
  assert.deepEqual(
    core.status?.conditions?.map((c) => [c.type, c.status, c.reason]),
    [['Available', 'True', 'Local']],
  );
  assert.deepEqual((await apis.get('v1.networking.k8s.io')).spec, {
    group: 'networking.k8s.io',
    version: 'v1',
    groupPriorityMinimum: 17200,
    versionPriority: 15,
  });

  // an edited spec is restored, a user's own APIService survives, a group no longer served goes
  await apis.update({
    ...(await apis.get('v1.apps')),
    spec: { group: 'apps', version: 'v1', groupPriorityMinimum: 5, versionPriority: 5 },
  });
  const user: APIService = {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: 'v1beta1.metrics.k8s.io' },
    spec: {
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      groupPriorityMinimum: 100,
      versionPriority: 100,
      service: { namespace: 'kube-system', name: 'metrics' },
    },
  };
  await apis.create(user);
  await reconcileAPIServices(client, ['v1', 'apps/v1', 'networking.k8s.io/v1']);
  assert.deepEqual(await names(), ['v1.', 'v1.apps', 'v1.networking.k8s.io', 'v1beta1.metrics.k8s.io']);
  assert.equal((await apis.get('v1.apps')).spec?.groupPriorityMinimum, 17800);
  assert.equal((await apis.get('v1beta1.metrics.k8s.io')).spec?.service?.port, 443);
});
