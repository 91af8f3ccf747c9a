// The proxy loop against fake API collections and a recording backend: nothing before both caches
// sync, bursts batched into few applies, every change delivered within a second, failures retried.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/object.js';
import { createLogger, nullLogger } from '../../base/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { createFakeApi, type FakeApi } from '../../client/testing/fake-api.js';
import type { ProxyBackend, ProxyServicePort } from './model.js';
import { startServiceProxy } from './runner.js';
import { endpointSlice, service } from './testing/objects.js';

function router(routes: Record<string, FakeApi>): RestClient {
  const pick = (path: string): RestClient => {
    const api = routes[new URL(path, 'http://x').pathname];
    if (!api) throw new Error(`no fake collection for ${path}`);
    return api.client;
  };
  return {
    resource: () => {
      throw new Error('not used');
    },
    request: (method, path, ...rest) => pick(path).request(method, path, ...rest),
    getOrUndefined: (path) => pick(path).getOrUndefined(path),
    watch: (path, onEvent, accept) => pick(path).watch(path, onEvent, accept),
    close() {},
  } as RestClient;
}

interface Recording extends ProxyBackend {
  applies: Array<{ at: number; ports: readonly ProxyServicePort[] }>;
  failNext: number;
  cleaned: number;
}
function recording(): Recording {
  const r: Recording = {
    name: 'recording',
    applies: [],
    failNext: 0,
    cleaned: 0,
    async apply(ports) {
      if (r.failNext > 0) {
        r.failNext--;
        throw new Error('injected failure');
      }
      r.applies.push({ at: Date.now(), ports });
    },
    async cleanup() {
      r.cleaned++;
    },
  };
  return r;
}

const asObj = (o: unknown) => o as KubeObject;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

function fixture() {
  const services = createFakeApi('Service', 'v1');
  const slices = createFakeApi('EndpointSlice', 'discovery.k8s.io/v1');
  const client = router({ '/api/v1/services': services, '/apis/discovery.k8s.io/v1/endpointslices': slices });
  services.upsert(asObj(service('default', 'web', { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80 }] })));
  return { services, slices, client };
}
const webSlice = (n: number) =>
  asObj(
    endpointSlice(
      'default',
      'web',
      'web-1',
      Array.from({ length: n }, (_, i) => ({ ip: `10.244.0.${i + 1}` })),
      [{ name: 'http', port: 8080 }],
    ),
  );

describe('startServiceProxy', () => {
  it('applies the synced view, batches bursts and delivers each change within a second', async () => {
    const { slices, client } = fixture();
    slices.upsert(webSlice(1));
    const backend = recording();
    const proxy = startServiceProxy({ client, nodeName: 'node-a', backend, log: nullLogger, minSyncMs: 200 });
    try {
      await proxy.synced();
      assert.equal(backend.applies.length, 1);
      assert.deepEqual(
        backend.applies[0]!.ports.map((p) => [p.id, p.clusterEndpoints.length]),
        [['default/web:http', 1]],
      );
      const t0 = Date.now();
      for (let n = 2; n <= 30; n++) {
        slices.upsert(webSlice(n));
        await sleep(5);
      }
      await until(() => backend.applies.at(-1)!.ports[0]!.clusterEndpoints.length === 30);
      const last = backend.applies.at(-1)!;
      assert.ok(last.at - t0 < 1000, `last change reached the backend after ${last.at - t0} ms`);
      assert.ok(backend.applies.length <= 4, `${backend.applies.length} applies for a burst of 29 changes`);
      for (let i = 2; i < backend.applies.length; i++)
        assert.ok(backend.applies[i]!.at - backend.applies[i - 1]!.at >= 190, 'applies at most every minSyncMs');
      const s = proxy.stats();
      assert.equal(s.backend, 'recording');
      assert.equal(s.applies, backend.applies.length);
      assert.equal(s.ports, 1);
    } finally {
      await proxy.stop({ cleanup: true });
    }
    assert.equal(backend.cleaned, 1);
  });

  it('retries a failed apply with back-off and logs it', async () => {
    const { slices, client } = fixture();
    slices.upsert(webSlice(2));
    const backend = recording();
    backend.failNext = 2;
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), level: 'info' });
    const proxy = startServiceProxy({ client, nodeName: 'node-a', backend, log, minSyncMs: 20, retryMs: { initial: 50, max: 200 } });
    try {
      await proxy.synced();
      assert.equal(proxy.stats().failures, 2);
      assert.equal(backend.applies.length, 1);
      assert.equal(lines.filter((l) => l.includes('apply failed') && l.includes('injected failure')).length, 2);
      assert.ok(lines.some((l) => l.includes('applied again')));
    } finally {
      await proxy.stop();
    }
    assert.equal(backend.cleaned, 0);
  });

  it('applies nothing until both caches have synced', async () => {
    const { slices, client } = fixture();
    slices.failNext(3); // the slice LIST fails a few times first
    const backend = recording();
    const proxy = startServiceProxy({ client, nodeName: 'node-a', backend, log: nullLogger, minSyncMs: 20 });
    try {
      await sleep(100);
      if (backend.applies.length > 0) assert.fail('applied before the EndpointSlice cache synced');
      slices.upsert(webSlice(1));
      await proxy.synced();
      assert.equal(backend.applies[0]!.ports[0]!.clusterEndpoints.length, 1);
    } finally {
      await proxy.stop();
    }
  });
});
