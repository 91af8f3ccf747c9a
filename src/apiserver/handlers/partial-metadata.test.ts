// Metadata-only answers (PartialObjectMetadata), as the garbage collector's informers request them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from '../../cli/server-command.js';
import { nullLogger } from '../../base/log.js';

const ACCEPT =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

test('lists, gets and watches answer PartialObjectMetadata when asked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-pom-'));
  const s = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: [] });
  try {
    const c = s.client;
    await c.request('POST', '/api/v1/namespaces/default/configmaps', {
      metadata: { name: 'a', labels: { x: 'y' } },
      data: { big: 'z'.repeat(1000) },
    });
    const list = await c.request<{ kind: string; items: Array<Record<string, unknown>> }>(
      'GET',
      '/api/v1/namespaces/default/configmaps',
      undefined,
      undefined,
      ACCEPT,
    );
    assert.equal(list.kind, 'PartialObjectMetadataList');
    const item = list.items.find((i) => (i['metadata'] as { name: string }).name === 'a')!;
    assert.equal(item['kind'], 'PartialObjectMetadata');
    assert.deepEqual((item['metadata'] as { labels: unknown }).labels, { x: 'y' });
    assert.equal(item['data'], undefined);
    const one = await c.request<Record<string, unknown>>('GET', '/api/v1/namespaces/default/configmaps/a', undefined, undefined, ACCEPT);
    assert.equal(one['kind'], 'PartialObjectMetadata');
    const events: Array<{ type: string; object: Record<string, unknown> }> = [];
    const w = c.watch(
      `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${String((one['metadata'] as { resourceVersion: string }).resourceVersion)}`,
      (ev) => events.push(ev as never),
      ACCEPT,
    );
    await c.request('DELETE', '/api/v1/namespaces/default/configmaps/a');
    for (let i = 0; i < 100 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    w.stop();
    assert.equal(events[0]?.type, 'DELETED');
    assert.equal(events[0]?.object['kind'], 'PartialObjectMetadata');
    assert.equal(events[0]?.object['data'], undefined);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
