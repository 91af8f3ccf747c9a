// E2E: concurrent PUTs of one object without a resourceVersion all succeed, each stored as sent.
// The write path takes a PUT's parsed body as the new object and decodes the body again when a
// racing writer makes it retry, so a retry must never see what the first attempt changed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTandem, type TandemProcess } from './harness.js';
import { createRawClient, type RawClient } from './raw-client.js';

let t: TandemProcess;
let c: RawClient;
const PATH = '/api/v1/namespaces/default/configmaps';

before(async () => {
  t = await startTandem({ args: ['--controllers', 'none'] });
  c = createRawClient({ url: t.url, caPem: t.caPem(), token: t.token(), keepAlive: true });
});
after(async () => {
  c?.close();
  await t?.stop();
});

test('32 racing PUTs without resourceVersion: every one answered with its own body, each a new version', async () => {
  const body = (i: number) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'raced', labels: { writer: `w${i}` } },
      data: { v: String(i) },
    });
  const created = await c.request('POST', PATH, { body: body(-1), headers: { 'content-type': 'application/json' } });
  assert.equal(created.status, 201, created.text);
  for (let round = 0; round < 3; round++) {
    const answers = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        c.request('PUT', `${PATH}/raced`, { body: body(i), headers: { 'content-type': 'application/json' } }),
      ),
    );
    const versions = new Set<string>();
    answers.forEach((a, i) => {
      assert.equal(a.status, 200, a.text);
      const o = JSON.parse(a.text) as {
        metadata: { labels: Record<string, string>; resourceVersion: string; namespace: string };
        data: Record<string, string>;
      };
      assert.deepEqual(o.data, { v: String(i) });
      assert.deepEqual(o.metadata.labels, { writer: `w${i}` });
      assert.equal(o.metadata.namespace, 'default');
      versions.add(o.metadata.resourceVersion);
    });
    assert.equal(versions.size, 32, 'each PUT wrote its own version');
    const final = JSON.parse((await c.request('GET', `${PATH}/raced`)).text) as {
      metadata: { labels: Record<string, string> };
      data: Record<string, string>;
    };
    assert.equal(final.metadata.labels['writer'], `w${final.data['v'] ?? ''}`, 'the last write is one body, whole');
  }
});
