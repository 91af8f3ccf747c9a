// E2E: Status bodies byte for byte as kube-apiserver writes them (field order kind, apiVersion,
// metadata, status, message, reason, details, code; causes as reason, message, field; a trailing
// newline from Go's json.Encoder), and the trailing newline on objects, lists and discovery too.
// Clients that compare bodies (recorded fixtures, conformance tools) see upstream's exact bytes.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTandem, type TandemProcess } from './harness.js';
import { createRawClient, type RawClient } from './raw-client.js';

const RFC1123 =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('Status and object bodies as upstream encodes them', () => {
  let srv: TandemProcess;
  let raw: RawClient;
  const cms = '/api/v1/namespaces/default/configmaps';

  before(async () => {
    srv = await startTandem({ args: ['--store', 'memory'] });
    raw = createRawClient({ url: srv.url, caPem: srv.caPem(), token: srv.token(), keepAlive: true });
  });
  after(async () => {
    raw?.close();
    if (srv) await srv.stop();
  });

  test('404 NotFound', async () => {
    const r = await raw.request('GET', `${cms}/nope`);
    assert.equal(r.status, 404);
    assert.equal(
      r.text,
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"configmaps"},"code":404}\n',
    );
  });

  test('409 AlreadyExists, with a group', async () => {
    const body = JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'twice' },
      spec: {
        selector: { matchLabels: { app: 'a' } },
        template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      },
    });
    const path = '/apis/apps/v1/namespaces/default/deployments';
    const headers = { 'Content-Type': 'application/json' };
    assert.equal((await raw.request('POST', path, { body, headers })).status, 201);
    const r = await raw.request('POST', path, { body, headers });
    assert.equal(r.status, 409);
    assert.equal(
      r.text,
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \\"twice\\" already exists","reason":"AlreadyExists","details":{"name":"twice","group":"apps","kind":"deployments"},"code":409}\n',
    );
  });

  test('422 Invalid with its causes', async () => {
    const r = await raw.request('POST', cms, {
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }),
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(r.status, 422);
    const detail = `Invalid value: \\"Bad_Name\\": ${RFC1123}`;
    assert.equal(
      r.text,
      `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"ConfigMap \\"Bad_Name\\" is invalid: metadata.name: ${detail}","reason":"Invalid","details":{"name":"Bad_Name","kind":"ConfigMap","causes":[{"reason":"FieldValueInvalid","message":"${detail}","field":"metadata.name"}]},"code":422}\n`,
    );
  });

  test('401 without credentials', async () => {
    const r = await raw.request('GET', cms, { token: null });
    assert.equal(r.status, 401);
    assert.equal(
      r.text,
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}\n',
    );
  });

  test('objects, lists, tables and discovery end with a newline; the byte count includes it', async () => {
    const created = await raw.request('POST', cms, {
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nl' }, data: { a: '1' } }),
      headers: { 'Content-Type': 'application/json' },
    });
    for (const [what, r] of [
      ['create', created],
      ['get', await raw.request('GET', `${cms}/nl`)],
      ['list', await raw.request('GET', cms)],
      ['table', await raw.request('GET', cms, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } })],
      ['/api', await raw.request('GET', '/api')],
      ['/apis/apps/v1', await raw.request('GET', '/apis/apps/v1')],
    ] as const) {
      assert.ok(r.status < 300, `${what}: ${r.status}`);
      assert.ok(r.text.endsWith('}\n'), `${what} ends with "}\\n": ${JSON.stringify(r.text.slice(-10))}`);
      assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.text), `${what} Content-Length`);
      JSON.parse(r.text);
    }
  });

  test('a ReplicaSet answers status.replicas 0 on create, get, list and watch', async () => {
    const path = '/apis/apps/v1/namespaces/default/replicasets';
    const body = JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'zero' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'z' } },
        template: { metadata: { labels: { app: 'z' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      },
    });
    const created = await raw.request('POST', path, { body, headers: { 'Content-Type': 'application/json' } });
    assert.equal(created.status, 201, created.text);
    const statusOf = (text: string) => (JSON.parse(text) as { status?: unknown }).status;
    assert.deepEqual(statusOf(created.text), { replicas: 0 });
    assert.deepEqual(statusOf((await raw.request('GET', `${path}/zero`)).text), { replicas: 0 });
    const list = JSON.parse((await raw.request('GET', path)).text) as { items: { status?: unknown }[] };
    assert.deepEqual(list.items[0]?.status, { replicas: 0 });
    // a watch from 0 starts with the current objects as ADDED events
    const watched = await raw.request('GET', `${path}?watch=True&resourceVersion=0&timeoutSeconds=1`, { timeoutMs: 10_000 });
    const first = JSON.parse(watched.text.split('\n')[0]!) as { type: string; object: { status?: unknown } };
    assert.equal(first.type, 'ADDED');
    assert.deepEqual(first.object.status, { replicas: 0 });
  });
});
