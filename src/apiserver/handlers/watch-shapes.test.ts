// Watchers of different shapes (objects, PartialObjectMetadata) on the same events: each shape is
// encoded once per event and shared, and each watcher still gets its own shape, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from '../../cli/server-command.js';
import { nullLogger } from '../../base/log.js';

const META = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
type Ev = { type: string; object: { kind: string; metadata: Record<string, unknown>; data?: unknown } };

test('object and metadata watchers of the same events each get their shape, with the same resourceVersions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-watch-shapes-'));
  const s = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: [] });
  try {
    const c = s.client;
    const path = '/api/v1/namespaces/default/configmaps';
    const list = await c.request<{ metadata: { resourceVersion: string } }>('GET', path);
    const at = `${path}?watch=true&resourceVersion=${list.metadata.resourceVersion}`;
    const seen: Ev[][] = [[], [], []];
    const ws = [
      c.watch(at, (e) => seen[0]!.push(e as Ev)),
      c.watch(at, (e) => seen[1]!.push(e as Ev), META),
      c.watch(at, (e) => seen[2]!.push(e as Ev), META),
    ];
    await new Promise((r) => setTimeout(r, 100));
    await c.request('POST', path, { metadata: { name: 'a', labels: { x: 'y' } }, data: { k: 'v' } });
    await c.request('PATCH', `${path}/a`, { data: { k: 'w' } }, 'application/merge-patch+json');
    await c.request('DELETE', `${path}/a`);
    for (let i = 0; i < 100 && seen.some((x) => x.length < 3); i++) await new Promise((r) => setTimeout(r, 20));
    for (const w of ws) w.stop();
    const [objects, meta1, meta2] = seen as [Ev[], Ev[], Ev[]];
    assert.deepEqual(
      objects.map((e) => e.type),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
    assert.deepEqual(meta1, meta2);
    assert.deepEqual(
      meta1.map((e) => e.type),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
    for (let i = 0; i < 3; i++) {
      const o = objects[i]!.object;
      const m = meta1[i]!.object;
      assert.equal(o.kind, 'ConfigMap');
      assert.equal(m.kind, 'PartialObjectMetadata');
      assert.equal(m.data, undefined);
      assert.deepEqual(m.metadata, o.metadata);
    }
    assert.ok(Array.isArray(meta1[0]!.object.metadata['managedFields']));
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kubelet-style watches (all namespaces, spec.nodeName=) get their node pods only, whether they share a stream or not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-watch-node-'));
  const s = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: [] });
  try {
    const c = s.client;
    const start = (await c.request<{ metadata: { resourceVersion: string } }>('GET', '/api/v1/pods')).metadata.resourceVersion;
    const pod = (name: string, node: string) => ({ metadata: { name }, spec: { nodeName: node, containers: [{ name: 'c', image: 'i' }] } });
    const seen: Ev[][] = [[], [], []];
    const at = (node: string, rv: string) => `/api/v1/pods?watch=true&fieldSelector=spec.nodeName%3D${node}&resourceVersion=${rv}`;
    const ws = [c.watch(at('n1', start), (e) => seen[0]!.push(e as Ev)), c.watch(at('n2', start), (e) => seen[1]!.push(e as Ev))];
    await new Promise((r) => setTimeout(r, 100));
    await c.request('POST', '/api/v1/namespaces/default/pods', pod('a', 'n1'));
    await c.request('POST', '/api/v1/namespaces/kube-system/pods', pod('b', 'n2'));
    // a watch from the start revision after the shared stream moved on: its own stream, same answer
    ws.push(c.watch(at('n1', start), (e) => seen[2]!.push(e as Ev)));
    await c.request('DELETE', '/api/v1/namespaces/default/pods/a?gracePeriodSeconds=0');
    for (let i = 0; i < 100 && (seen[0]!.length < 2 || seen[2]!.length < 2 || seen[1]!.length < 1); i++)
      await new Promise((r) => setTimeout(r, 20));
    for (const w of ws) w.stop();
    const names = (evs: Ev[]) => evs.map((e) => `${e.type}:${String(e.object.metadata['name'])}`);
    assert.deepEqual(names(seen[0]!), ['ADDED:a', 'DELETED:a']);
    assert.deepEqual(names(seen[1]!), ['ADDED:b']);
    assert.deepEqual(names(seen[2]!), ['ADDED:a', 'DELETED:a']);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
