// CRD serving follows the store through a watch that ends and lists that fail (an etcd member failing
// over): it keeps retrying, so a CRD created meanwhile through another server is served here too.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allKinds } from '../../api/kinds/index.js';
import { StatusError } from '../../base/errors.js';
import { nullLogger } from '../../base/log.js';
import { createRestClient } from '../../client/rest-client.js';
import { ensurePki } from '../../pki/index.js';
import { createBackend, type Backend, type WatchHandlers } from '../../storage/index.js';
import { createRequestAuthenticator, createTokenAuthenticator } from '../auth/index.js';
import { createApiServer } from '../server.js';

/** The backend with watches that can be ended and lists that can be made to fail, as a store outage does. */
function flakyBackend(inner: Backend) {
  const handlers = new Set<WatchHandlers>();
  const state = { failLists: 0, listCalls: 0, failUpdates: 0 };
  const backend: Backend = Object.create(inner) as Backend;
  backend.list = (prefix, opts) => {
    state.listCalls++;
    if (state.failLists > 0) {
      state.failLists--;
      return Promise.reject(new Error('store unavailable'));
    }
    return inner.list(prefix, opts);
  };
  backend.update = (key, value, rev) => {
    if (state.failUpdates > 0 && key.includes('customresourcedefinitions')) {
      state.failUpdates--;
      return Promise.reject(new Error('store unavailable'));
    }
    return inner.update(key, value, rev);
  };
  backend.watch = (prefix, after, h) => {
    handlers.add(h);
    const w = inner.watch(prefix, after, h);
    return {
      cancel() {
        handlers.delete(h);
        w.cancel();
      },
    };
  };
  return {
    backend,
    state,
    /** Ends every open watch with an error (their owners must relist). */
    endWatches() {
      for (const h of [...handlers]) {
        handlers.delete(h);
        h.onError(new Error('watch stream lost'));
      }
    },
  };
}

async function serverOn(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-crd-relist-'));
  const inner = await createBackend('memory');
  const flaky = flakyBackend(inner);
  const pki = await ensurePki(dir, { hosts: ['127.0.0.1'] });
  const token = 'tok-admin-0123456789';
  const api = await createApiServer({
    backend: flaky.backend,
    kinds: allKinds,
    authenticator: createRequestAuthenticator({
      static: createTokenAuthenticator([{ token, user: { name: 'admin', uid: 'u', groups: ['system:masters', 'system:authenticated'] } }]),
    }),
    tls: { cert: pki.certPem, key: pki.keyPem, ca: pki.caCertPem },
    advertiseAddress: '127.0.0.1:0',
    log: nullLogger,
  });
  const port = await api.listen('127.0.0.1', 0);
  const client = createRestClient({ server: `https://127.0.0.1:${port}`, caPem: pki.caCertPem, token });
  t.after(async () => {
    client.close();
    await api.close();
    await inner.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { client, flaky, inner };
}

test('CRD serving keeps relisting through failed lists and then serves a CRD created meanwhile', async (t) => {
  const { client, flaky, inner } = await serverOn(t);
  // the watch ends while the store refuses lists three times
  flaky.state.failLists = 3;
  const before = flaky.state.listCalls;
  flaky.endWatches();
  // another server writes the CRD straight into the store meanwhile
  await inner.create(
    '/registry/apiextensions.k8s.io/customresourcedefinitions/gadgets.relist.example.com',
    JSON.stringify({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.relist.example.com', uid: 'u-1', creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
      spec: {
        group: 'relist.example.com',
        scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    }),
  );
  const t0 = Date.now();
  for (;;) {
    const code = await client.request('GET', '/apis/relist.example.com/v1/gadgets').then(
      () => 200,
      (e: unknown) => (e instanceof StatusError ? e.code : -1),
    );
    if (code === 200) break;
    assert.ok(Date.now() - t0 < 5000, `the CRD is still not served (${code}) after ${Date.now() - t0} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  t.diagnostic(`served ${Date.now() - t0} ms after the watch ended`);
  assert.equal(flaky.state.failLists, 0);
  assert.ok(flaky.state.listCalls - before >= 4, `lists tried: ${flaky.state.listCalls - before}`);
});

test('a CRD whose status write the store refuses becomes Established on a later try', async (t) => {
  const { client, flaky } = await serverOn(t);
  flaky.state.failUpdates = 2;
  await client.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gizmos.retry.example.com' },
    spec: {
      group: 'retry.example.com',
      scope: 'Cluster',
      names: { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
    },
  });
  const t0 = Date.now();
  for (;;) {
    const crd = await client.request<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(
      'GET',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.retry.example.com',
    );
    if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
    assert.ok(Date.now() - t0 < 6000, 'never Established');
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(flaky.state.failUpdates, 0);
  await client.request('GET', '/apis/retry.example.com/v1/gizmos');
});
