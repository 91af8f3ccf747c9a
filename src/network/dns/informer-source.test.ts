// The informer-backed source against fake API collections: the server started from a RestClient
// answers from what the API holds, follows changes, and denies nothing before the first list.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/object.js';
import { nullLogger } from '../../base/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { createFakeApi, type FakeApi } from '../../client/testing/fake-api.js';
import { startClusterDns } from './index.js';
import { endpointSlice, service } from './testing/fake-source.js';
import { decodeReply, makeQuery, udpExchange } from './testing/dns-client.js';

/** One RestClient over several fake collections, chosen by the request path. */
function router(routes: Record<string, FakeApi>): RestClient {
  const pick = (path: string): RestClient => {
    const p = new URL(path, 'http://x').pathname;
    const api = routes[p];
    if (!api) throw new Error(`no fake collection for ${p}`);
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

const asObj = (o: unknown) => o as KubeObject;

describe('informer source', () => {
  it('answers from the API collections and follows changes', async () => {
    const services = createFakeApi('Service', 'v1');
    const slices = createFakeApi('EndpointSlice', 'discovery.k8s.io/v1');
    services.upsert(asObj(service('default', 'web', { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80 }] })));
    services.upsert(asObj(service('default', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] })));
    slices.upsert(asObj(endpointSlice('default', 'db', [{ ip: '10.244.0.5', hostname: 'db-0' }], [{ name: 'pg', port: 5432 }])));
    const client = router({ '/api/v1/services': services, '/apis/discovery.k8s.io/v1/endpointslices': slices });
    const dns = await startClusterDns({ client, listen: { host: '127.0.0.1', port: 0 }, upstreams: [], log: nullLogger });
    const ask = async (name: string, type: 'A' | 'PTR' = 'A') => decodeReply((await udpExchange(dns.udpPort, makeQuery(name, type)))!);
    try {
      await dns.ready();
      assert.deepEqual(
        (await ask('web.default.svc.cluster.local')).answers?.map((a) => ('data' in a ? a.data : '')),
        ['10.96.0.10'],
      );
      assert.deepEqual(
        (await ask('db-0.db.default.svc.cluster.local')).answers?.map((a) => ('data' in a ? a.data : '')),
        ['10.244.0.5'],
      );
      assert.deepEqual(
        (await ask('5.0.244.10.in-addr.arpa', 'PTR')).answers?.map((a) => ('data' in a ? a.data : '')),
        ['db-0.db.default.svc.cluster.local'],
      );
      services.remove('default/web');
      for (let i = 0; i < 50 && (await ask('web.default.svc.cluster.local')).rcode !== 'NXDOMAIN'; i++)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal((await ask('web.default.svc.cluster.local')).rcode, 'NXDOMAIN');
    } finally {
      await dns.stop();
    }
  });
});
