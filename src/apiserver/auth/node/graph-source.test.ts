import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../../api/gen/types.js';
import { podKind } from '../../../api/kinds/core/pod/pod.js';
import { createMemoryBackend } from '../../../storage/memory/memory-backend.js';
import { objectKey } from '../../registry/keys.js';
import { startNodeGraphSource } from './graph-source.js';

const pod = (name: string, node: string | undefined, secret: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: {
    containers: [{ name: 'c', image: 'x' }],
    volumes: [{ name: 'v', secret: { secretName: secret } }],
    ...(node ? { nodeName: node } : {}),
  },
});

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('the graph follows the store: listed pods, bound later, deleted', async () => {
  const backend = createMemoryBackend();
  const key = (n: string) => objectKey(podKind, 'default', n);
  await backend.create(key('old'), JSON.stringify(pod('old', 'n1', 'old-secret')));
  const src = startNodeGraphSource({ backend, podKind });
  try {
    await src.ready();
    assert.ok(src.related('n1', 'secret', 'default', 'old-secret'), 'a pod present before the start is listed');
    const created = await backend.create(key('p'), JSON.stringify(pod('p', undefined, 's')));
    const bound = await backend.update(key('p'), JSON.stringify(pod('p', 'n2', 's')), created.modRevision);
    await until(() => src.related('n2', 'secret', 'default', 's'), 'the binding');
    assert.ok(!src.related('n1', 'secret', 'default', 's'));
    await backend.delete(key('p'), bound.modRevision);
    await until(() => !src.related('n2', 'secret', 'default', 's'), 'the delete');
    assert.equal(src.podCount, 1);
  } finally {
    src.stop();
    await backend.close();
  }
});
